"""Custom emoji shortcodes (develop §7.1): `:name:` in a chat message becomes the emoji image.

Owncast feeds goldmark-emoji with its custom emoji only: a shortcode is the file name without its
extension, matched case-insensitively, made of letters, digits, `_`, `-` and `+`. The catalog is
the emoji directory (sub-directories are packs), re-read on a worker thread at most once a second
so an emoji uploaded a moment ago is usable at once and a busy chat does not walk the disk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import trio

EMOJI_URL = "/img/emoji"
# Raster formats only: an SVG served from our origin could carry script.
EMOJI_EXTENSIONS = frozenset({".png", ".gif", ".jpg", ".jpeg", ".webp"})
REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Emoji:
    """One custom emoji: its name (the file stem) and its URL under /img/emoji/."""

    name: str
    url: str


def scan_emoji(root: Path) -> list[Emoji]:
    """Every image under `root`, sorted by path (blocking: call it on a worker thread)."""
    found: list[Emoji] = []
    if not root.is_dir():
        return found
    for directory, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = Path(directory) / name
            if path.suffix.lower() not in EMOJI_EXTENSIONS or name.startswith("."):
                continue
            relative = path.relative_to(root).as_posix()
            found.append(Emoji(path.stem, f"{EMOJI_URL}/{relative}"))
    return found


def shortcode_table(emoji: list[Emoji]) -> dict[str, Emoji]:
    """Lower-cased name → emoji; the first file (by path) wins a name used twice."""
    table: dict[str, Emoji] = {}
    for item in emoji:
        table.setdefault(item.name.lower(), item)
    return table


class EmojiCatalog(Protocol):
    """Where the chat room finds the custom emoji for shortcodes."""

    async def shortcodes(self) -> Mapping[str, Emoji]: ...


class NoEmoji:
    """A catalog without emoji (tests, rooms built without an emoji directory)."""

    async def shortcodes(self) -> Mapping[str, Emoji]:
        """Always empty."""
        return {}


class EmojiDirectory:
    """The emoji directory as a catalog, cached for REFRESH_SECONDS."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._table: dict[str, Emoji] = {}
        self._read_at = float("-inf")

    async def shortcodes(self) -> Mapping[str, Emoji]:
        """The current table (re-read when older than REFRESH_SECONDS)."""
        now = trio.current_time()
        if now - self._read_at >= REFRESH_SECONDS:
            emoji = await trio.to_thread.run_sync(scan_emoji, self._root)
            self._table, self._read_at = shortcode_table(emoji), now
        return self._table

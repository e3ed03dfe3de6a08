"""The HLS output directory: `stream.m3u8` (master) and `<n>/stream.m3u8` + segments.

Reference §5.6–5.7 and §5.9: wiped when a new stream starts and after the delayed-offline
timer, old segments deleted while live (keep the playlist length + 10), and `#EXT-X-ENDLIST`
appended when the publisher leaves so players stop cleanly. All methods are blocking file
operations on small files; callers on the trio thread run them with `trio.to_thread`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from owncastd.core.atomic_file import write_bytes_atomic

log = logging.getLogger(__name__)

MASTER_PLAYLIST = "stream.m3u8"
ENDLIST = "#EXT-X-ENDLIST"
EXTRA_SEGMENTS_KEPT = 10


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file and rename, so readers never see a partial file."""
    write_bytes_atomic(path, data)


def listed_segments(playlist_text: str) -> list[str]:
    """The segment URIs in a media playlist, in order."""
    return [
        line.strip()
        for line in playlist_text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


class HlsOutput:
    """Owns `data/hls`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def master_playlist(self) -> Path:
        """`data/hls/stream.m3u8`."""
        return self.root / MASTER_PLAYLIST

    def variant_playlist(self, index: int) -> Path:
        """`data/hls/<index>/stream.m3u8`."""
        return self.root / str(index) / MASTER_PLAYLIST

    def reset(self, variant_count: int = 0) -> None:
        """Delete everything and recreate the directory (and `variant_count` variant dirs)."""
        if self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        for index in range(variant_count):
            (self.root / str(index)).mkdir(exist_ok=True)

    def variant_dirs(self) -> list[Path]:
        """Existing variant directories, by index."""
        if not self.root.is_dir():
            return []
        dirs = [p for p in self.root.iterdir() if p.is_dir() and p.name.isdigit()]
        return sorted(dirs, key=lambda p: int(p.name))

    def segments_listed(self, index: int) -> int:
        """How many segments variant `index`'s playlist lists (0 when it doesn't exist yet)."""
        try:
            return len(listed_segments(self.variant_playlist(index).read_text()))
        except (FileNotFoundError, UnicodeDecodeError):
            return 0

    def newest_segment(self, index: int) -> Path | None:
        """The newest complete segment of variant `index` (the last one its playlist lists)."""
        try:
            segments = listed_segments(self.variant_playlist(index).read_text())
        except FileNotFoundError:
            return None
        for name in reversed(segments):
            path = self.root / str(index) / name
            if path.is_file():
                return path
        return None

    def append_endlist(self) -> int:
        """Append `#EXT-X-ENDLIST` to every variant playlist that lacks it; return how many."""
        changed = 0
        for directory in self.variant_dirs():
            playlist = directory / MASTER_PLAYLIST
            try:
                text = playlist.read_text()
            except FileNotFoundError:
                continue
            if ENDLIST in text:
                continue
            if not text.endswith("\n"):
                text += "\n"
            atomic_write(playlist, (text + ENDLIST + "\n").encode())
            changed += 1
        return changed

    def cleanup(self, playlist_length: int) -> int:
        """Delete segments beyond the newest `playlist_length + 10` per variant; return count."""
        keep = playlist_length + EXTRA_SEGMENTS_KEPT
        removed = 0
        for directory in self.variant_dirs():
            for old in _newest_first(directory.glob("*.ts"))[keep:]:
                old.unlink(missing_ok=True)
                removed += 1
        if removed:
            log.debug("hls cleanup removed=%d", removed)
        return removed


def _newest_first(paths: Iterable[Path]) -> list[Path]:
    """Paths sorted newest first by mtime, skipping files that vanish meanwhile."""
    dated: list[tuple[int, Path]] = []
    for path in paths:
        try:
            dated.append((path.stat().st_mtime_ns, path))
        except FileNotFoundError:
            continue
    return [path for _, path in sorted(dated, reverse=True)]

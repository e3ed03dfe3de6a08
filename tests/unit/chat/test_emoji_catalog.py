"""The custom emoji catalog behind `:shortcodes:`: file stems (packs included), matched in any
case, re-read from disk at most once a second."""

from __future__ import annotations

from pathlib import Path

import trio

from owncastd.core.chat.emoji_catalog import REFRESH_SECONDS, Emoji, EmojiDirectory


async def test_names_packs_and_refresh(tmp_path: Path, autojump_clock: trio.abc.Clock) -> None:
    root = tmp_path / "emoji"
    (root / "pack").mkdir(parents=True)
    (root / "Blob.png").write_bytes(b"x")
    (root / "pack" / "party.gif").write_bytes(b"x")
    (root / "notes.txt").write_bytes(b"x")  # not an image
    (root / ".hidden.png").write_bytes(b"x")
    catalog = EmojiDirectory(root)
    table = await catalog.shortcodes()
    assert dict(table) == {
        "blob": Emoji("Blob", "/img/emoji/Blob.png"),
        "party": Emoji("party", "/img/emoji/pack/party.gif"),
    }
    (root / "new.webp").write_bytes(b"x")
    assert "new" not in await catalog.shortcodes()  # read a moment ago: cached
    await trio.sleep(REFRESH_SECONDS)
    assert (await catalog.shortcodes())["new"] == Emoji("new", "/img/emoji/new.webp")


async def test_a_missing_directory_has_no_emoji(tmp_path: Path) -> None:
    assert dict(await EmojiDirectory(tmp_path / "none").shortcodes()) == {}

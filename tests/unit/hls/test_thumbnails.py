"""Thumbnail failures are WARNINGs, never exceptions: a missing ffmpeg or an unusable
directory must not stop the stream (the transcoder's watch task calls these)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from owncastd.hls.thumbnails import ThumbnailMaker


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_missing_ffmpeg_is_a_logged_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    segment = tmp_path / "segment.ts"
    segment.write_bytes(b"\x47" * 188)
    maker = ThumbnailMaker(str(tmp_path / "no-such-ffmpeg"), tmp_path / "tmp")
    with caplog.at_level(logging.WARNING, logger="owncastd.hls.thumbnails"):
        assert await maker.make(segment) is False
    assert maker.failures == 1
    assert len(warnings(caplog)) == 1  # one ffmpeg makes both files
    assert "No such file" in warnings(caplog)[0]
    assert list((tmp_path / "tmp").iterdir()) == []  # no temp files left behind


async def test_an_unusable_directory_is_a_logged_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    maker = ThumbnailMaker("/usr/bin/ffmpeg", blocker / "tmp")
    with caplog.at_level(logging.WARNING, logger="owncastd.hls.thumbnails"):
        assert await maker.make(tmp_path / "segment.ts") is False
        await maker.clear()
    assert maker.failures == 1
    assert len(warnings(caplog)) == 3  # the directory, then both files not removed

"""Probing which video forms the installed ffmpeg's FLV demuxer reads (real ffmpeg)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import trio

from owncastd.core.codecs import CHECKED_FORMS, VideoFormat
from owncastd.hls.ingest_probe import codec_named, probe_flv, probe_ingest_formats

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="needs ffmpeg")

# ffmpeg 6.1+ reading an enhanced-RTMP HEVC FLV (its stream line names the codec).
NEWER_FFMPEG = b"""Input #0, flv, from 'pipe:0':
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: hevc (Main), yuv420p(tv), 160x120, 10 fps, 10 tbr, 1k tbn
At least one output file must be specified
"""


def test_codec_named_reads_the_video_stream_line() -> None:
    assert codec_named(NEWER_FFMPEG) == "hevc"
    assert codec_named(NEWER_FFMPEG, 1) is None  # no second input
    assert codec_named(b"  Stream #0:0: Video: none, none, 1k tbr, 1k tbn\n") is None
    assert codec_named(b"pipe:0: Invalid data found when processing input\n") is None


async def _named(form: str) -> str | None:
    result = await trio.run_process(
        [FFMPEG or "ffmpeg", "-hide_banner", "-f", "flv", "-i", "pipe:0"],
        stdin=probe_flv(form),
        capture_stderr=True,
        check=False,
    )
    return codec_named(result.stderr)


@needs_ffmpeg
async def test_the_probe_file_is_read_by_ffmpeg_in_a_legacy_form() -> None:
    # The control: the same probe recognises plain H.264, so "none" below means "cannot".
    assert await _named("codec id 7") == "h264"


@needs_ffmpeg
async def test_debian_ffmpeg_5_1_reads_no_enhanced_rtmp() -> None:
    version = (await trio.run_process([FFMPEG or "", "-version"], capture_stdout=True)).stdout
    if not version.startswith(b"ffmpeg version 5."):
        pytest.skip("the expectation is for ffmpeg 5.x (Debian 12)")
    formats = await probe_ingest_formats(FFMPEG or "")
    assert formats.readable == frozenset()
    assert formats.checked == frozenset(CHECKED_FORMS)
    assert formats.ffmpeg.startswith("ffmpeg 5.")
    reason = formats.refusal(VideoFormat("H.265", "hvc1"))
    assert reason is not None and formats.ffmpeg in reason


async def test_an_ffmpeg_that_cannot_run_reads_nothing(tmp_path: Path, caplog) -> None:
    caplog.set_level("INFO", logger="owncastd.hls.ingest_probe")
    formats = await probe_ingest_formats(str(tmp_path / "no-ffmpeg"))
    # The start-up line lists "avc1" (enhanced-RTMP H.264) as unreadable: it must not read as
    # if plain H.264, which every ffmpeg takes, were refused.
    line = caplog.records[-1].getMessage()
    assert "unreadable=avc1," in line and "plain H.264 is not one of these" in line
    assert formats.readable == frozenset()
    assert formats.refusal(VideoFormat("H.265", "hvc1")) is not None

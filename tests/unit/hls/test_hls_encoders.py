"""parse_encoders on real `ffmpeg -encoders` output; detect_encoders on real and fake ffmpegs."""

from __future__ import annotations

from pathlib import Path

import pytest

from owncastd.errors import FfmpegNotFoundError
from owncastd.hls.encoders import detect_encoders, parse_encoders

FIXTURES = Path(__file__).parent / "fixtures"


def test_parse_real_debian_ffmpeg_output() -> None:
    # Debian 12's ffmpeg 5.1 (`/usr/bin/ffmpeg -hide_banner -encoders`): it lists nvenc, omx,
    # qsv, v4l2m2m and vaapi but not videotoolbox; libx264rgb must not count as libx264.
    text = (FIXTURES / "ffmpeg-5.1-encoders.txt").read_text()
    assert parse_encoders(text) == (
        "libx264",
        "h264_nvenc",
        "h264_vaapi",
        "h264_qsv",
        "h264_omx",
        "h264_v4l2m2m",
    )


def test_parse_keeps_known_order_and_ignores_legend() -> None:
    text = (
        "Encoders:\n"
        " V..... = Video\n"
        " ------\n"
        " V....D h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)\n"
        " A....D aac                  AAC (Advanced Audio Coding)\n"
        " V....D libx264              libx264 H.264 / AVC (codec h264)\n"
    )
    assert parse_encoders(text) == ("libx264", "h264_videotoolbox")


def test_parse_without_x264() -> None:
    text = " ------\n V....D libopenh264   OpenH264 (codec h264)\n A....D aac   AAC\n"
    assert parse_encoders(text) == ()
    assert parse_encoders("") == ()


@pytest.mark.skipif(not Path("/usr/bin/ffmpeg").exists(), reason="needs Debian's ffmpeg")
async def test_detect_with_real_ffmpeg() -> None:
    encoders = await detect_encoders("/usr/bin/ffmpeg")
    assert encoders[0] == "libx264"


async def test_detect_with_fake_ffmpeg(tmp_path: Path) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text(
        "#!/bin/sh\n"
        '[ "$1 $2" = "-hide_banner -encoders" ] || exit 3\n'
        "printf ' ------\\n V..... h264_qsv  QSV\\n V..... libx264  x264\\n'\n"
    )
    fake.chmod(0o755)
    assert await detect_encoders(str(fake)) == ("libx264", "h264_qsv")


async def test_detect_failing_ffmpeg(tmp_path: Path) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'broken library' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(FfmpegNotFoundError, match="broken library"):
        await detect_encoders(str(fake))


async def test_detect_missing_binary(tmp_path: Path) -> None:
    with pytest.raises(FfmpegNotFoundError, match="cannot run"):
        await detect_encoders(str(tmp_path / "nope"))

"""The built argv run by Debian's real ffmpeg: FLV on stdin → HLS files, thumbnails, preview."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import trio

from owncastd.config.settings import VideoSettings, VideoVariant
from owncastd.hls.command import build_transcode_command
from owncastd.hls.thumbnails import ThumbnailMaker

FFMPEG = "/usr/bin/ffmpeg"
FFPROBE = "/usr/bin/ffprobe"
SEGMENT_ID = "t3st"

pytestmark = pytest.mark.skipif(
    not (Path(FFMPEG).exists() and Path(FFPROBE).exists()), reason="needs Debian's ffmpeg"
)


def make_flv(path: Path, *, audio: bool) -> bytes:
    sources = ["-f", "lavfi", "-i", "testsrc=size=640x360:rate=30"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        sources += ["-f", "lavfi", "-i", "sine"]
        codecs += ["-c:a", "aac"]
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", *sources, "-t", "4", *codecs,
         "-f", "flv", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture(scope="module")
def flv_with_audio(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_flv(tmp_path_factory.mktemp("flv") / "av.flv", audio=True)


@pytest.fixture(scope="module")
def flv_video_only(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_flv(tmp_path_factory.mktemp("flv") / "v.flv", audio=False)


async def transcode(
    flv: bytes, video: VideoSettings, out: Path, *, has_audio: bool, log_file: Path | None = None
) -> None:
    command = build_transcode_command(
        FFMPEG, video, output_dir=out, segment_id=SEGMENT_ID, has_audio=has_audio,
        log_file=log_file,
    )  # fmt: skip
    with trio.fail_after(60):
        result = await trio.run_process(
            command.argv,
            stdin=flv,
            capture_stderr=True,
            check=False,
            env={**os.environ, **command.env},
        )
    assert result.returncode == 0, result.stderr.decode(errors="replace")


def segments_of(playlist: Path) -> list[str]:
    """The segment URIs of a variant playlist, checking each exists beside it."""
    names = [
        line for line in playlist.read_text().splitlines() if line and not line.startswith("#")
    ]
    assert names, playlist.read_text()
    for name in names:
        assert re.fullmatch(rf"stream-{SEGMENT_ID}-\d+\.ts", name), name
        assert (playlist.parent / name).is_file()
    return names


def master_bandwidths(master: str) -> dict[str, int]:
    """Variant URI → BANDWIDTH from a master playlist."""
    found = re.findall(r"#EXT-X-STREAM-INF:BANDWIDTH=(\d+)[^\n]*\n(\S+)", master)
    return {uri: int(bandwidth) for bandwidth, uri in found}


def probe(segment: Path) -> dict[str, dict[str, object]]:
    """codec_type → stream info from ffprobe."""
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-show_streams", "-of", "json", str(segment)],
        check=True,
        capture_output=True,
    )
    streams = json.loads(result.stdout)["streams"]
    return {stream["codec_type"]: stream for stream in streams}


async def test_two_variants_with_audio(flv_with_audio: bytes, tmp_path: Path) -> None:
    out = tmp_path / "hls"
    log_dir = tmp_path / "logs:a"  # ':' must be escaped in FFREPORT
    log_dir.mkdir()
    video = VideoSettings(
        latency_level=0,
        variants=(
            VideoVariant(video_bitrate=800, scaled_height=360, framerate=30, cpu_usage_level=2),
            # Owncast's passthrough example: CPU level 0 → ultrafast, which must not leak into
            # variant 0 (ultrafast would make x264 fall back to Constrained Baseline).
            VideoVariant(video_passthrough=True, video_bitrate=3000, cpu_usage_level=0),
        ),
    )
    await transcode(flv_with_audio, video, out, has_audio=True, log_file=log_dir / "transcoder.log")

    master = (out / "stream.m3u8").read_text()
    assert master.startswith("#EXTM3U")
    assert [line for line in master.splitlines() if line.endswith(".m3u8")] == [
        "0/stream.m3u8",
        "1/stream.m3u8",
    ]
    bandwidths = master_bandwidths(master)
    assert bandwidths["1/stream.m3u8"] > 3_000_000 > bandwidths["0/stream.m3u8"]  # declared
    transcoded = segments_of(out / "0" / "stream.m3u8")
    assert len(transcoded) >= 3  # 1 s segments from 4 s of input
    passthrough = segments_of(out / "1" / "stream.m3u8")
    assert not list(out.rglob("*.tmp"))  # temp_file: everything renamed into place

    streams = probe(out / "0" / transcoded[1])
    assert streams["video"]["codec_name"] == "h264"
    assert streams["video"]["height"] == 360
    assert streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["video"]["profile"] == "High"  # veryfast kept; ultrafast would be Baseline
    assert streams["audio"]["codec_name"] == "aac"
    copied = probe(out / "1" / passthrough[0])
    assert copied["video"]["codec_name"] == "h264"
    assert copied["audio"]["codec_name"] == "aac"

    assert (log_dir / "transcoder.log").stat().st_size > 0

    # Thumbnail and preview from the newest segments, as the transcoder's watch task asks.
    maker = ThumbnailMaker(FFMPEG, tmp_path / "tmp")
    with trio.fail_after(30):
        assert await maker.make(out / "0" / transcoded[-1])
    thumbnail = probe_frames(maker.thumbnail)
    assert (thumbnail["codec_name"], thumbnail["width"], thumbnail["height"]) == ("mjpeg", 640, 360)
    preview = probe_frames(maker.preview)
    # One keyframe from each of the three newest 1 s segments, scaled to 480 px wide.
    assert (preview["codec_name"], preview["width"], preview["height"]) == ("gif", 480, 270)
    assert preview["nb_read_frames"] == "3"
    assert maker.preview.read_bytes()[:6] == b"GIF89a"
    assert sorted(p.name for p in maker.directory.iterdir()) == ["preview.gif", "thumbnail.jpg"]

    # Nothing new since: no ffmpeg run. A newer segment: a run again.
    with trio.fail_after(30):
        assert await maker.make(out / "0" / transcoded[-1])
        assert maker.runs == 1
        assert await maker.make(out / "0" / transcoded[-2])
        assert maker.runs == 2
    assert maker.failures == 0


def probe_frames(image: Path) -> dict[str, object]:
    """ffprobe's video stream of an image or GIF, with its decoded frame count."""
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_streams",
         "-of", "json", str(image)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    streams: list[dict[str, object]] = json.loads(result.stdout)["streams"]
    assert len(streams) == 1
    return streams[0]


async def test_video_only_input(flv_video_only: bytes, tmp_path: Path) -> None:
    out = tmp_path / "hls"
    video = VideoSettings(
        latency_level=0,
        variants=(
            VideoVariant(video_bitrate=600, scaled_height=240, cpu_usage_level=0),
            VideoVariant(video_passthrough=True),
        ),
    )
    await transcode(flv_video_only, video, out, has_audio=False)

    # Without the declared -b:v:1, ffmpeg would leave the passthrough variant out here.
    master = (out / "stream.m3u8").read_text()
    assert list(master_bandwidths(master)) == ["0/stream.m3u8", "1/stream.m3u8"]
    segment = segments_of(out / "0" / "stream.m3u8")[0]
    streams = probe(out / "0" / segment)
    assert set(streams) == {"video"}
    assert (streams["video"]["width"], streams["video"]["height"]) == (426, 240)
    assert segments_of(out / "1" / "stream.m3u8")

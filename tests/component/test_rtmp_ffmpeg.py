"""Real ffmpeg pushes to RtmpServer; the collected FLV must decode with ffprobe."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import trio

from owncastd.core.media import FLV_HEADER, TagKind
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import FakeGate

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="needs ffmpeg and ffprobe",
)

KEY = "s3cret-key"


def push_command(port: int, key: str) -> list[str]:
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", "3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
        "-c:a", "aac",
        "-f", "flv", f"rtmp://127.0.0.1:{port}/live/{key}",
    ]  # fmt: skip


async def push(
    nursery: trio.Nursery, gate: FakeGate, key: str
) -> subprocess.CompletedProcess[bytes]:
    port = await nursery.start(RtmpServer(gate, "127.0.0.1", 0).run)
    with trio.fail_after(60):
        return await trio.run_process(push_command(port, key), capture_stderr=True, check=False)


async def test_ffmpeg_push_gives_a_decodable_flv(nursery: trio.Nursery, tmp_path: Path) -> None:
    gate = FakeGate(KEY)
    result = await push(nursery, gate, KEY)
    assert result.returncode == 0, result.stderr.decode()
    [publication] = gate.publications
    with trio.fail_after(10):
        await publication.ended.wait()

    details = publication.details
    assert details is not None
    assert (details.width, details.height, details.framerate) == (320, 240, 30.0)
    assert (details.video_codec, details.audio_codec) == ("H.264", "AAC")
    assert details.encoder.startswith("Lavf")
    assert not details.video_only

    tags = publication.tags
    assert tags[0].kind is TagKind.SCRIPT
    video = [t for t in tags if t.kind is TagKind.VIDEO]
    audio = [t for t in tags if t.kind is TagKind.AUDIO]
    assert video[0].sequence_header and audio[0].sequence_header
    assert sum(t.sequence_header for t in tags) == 2
    assert sum(t.keyframe for t in video) == 3  # -g 30 over 90 frames
    assert video[1].keyframe
    assert [t.timestamp for t in video[1:]] == sorted(t.timestamp for t in video[1:])
    assert 2900 <= video[-1].timestamp <= 3000

    flv = tmp_path / "collected.flv"
    flv.write_bytes(FLV_HEADER + b"".join(t.data for t in tags))
    probe = await trio.run_process(
        ["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-of", "json", str(flv)],
        capture_stdout=True,
        capture_stderr=True,
    )
    assert probe.stderr == b""
    streams = {s["codec_type"]: s for s in json.loads(probe.stdout)["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert (streams["video"]["width"], streams["video"]["height"]) == (320, 240)
    assert int(streams["video"]["nb_read_frames"]) == 90
    assert streams["audio"]["codec_name"] == "aac"
    assert int(streams["audio"]["nb_read_frames"]) >= 125  # 3 s of 1024-sample frames at 44.1k

    decode = await trio.run_process(
        ["ffmpeg", "-v", "error", "-f", "flv", "-i", "-", "-f", "null", "-"],
        stdin=flv.read_bytes(),
        capture_stderr=True,
        check=False,
    )
    assert decode.returncode == 0 and decode.stderr == b"", decode.stderr.decode()


async def test_ffmpeg_push_with_a_wrong_key_fails(nursery: trio.Nursery) -> None:
    gate = FakeGate(KEY)
    result = await push(nursery, gate, "wrong-key")
    assert result.returncode != 0
    assert b"Invalid stream key" in result.stderr
    assert gate.publications == []
    assert gate.keys_checked == ["wrong-key"]

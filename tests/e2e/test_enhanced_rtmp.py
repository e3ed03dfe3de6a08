"""End to end: an OBS-style enhanced-RTMP HEVC publish to a real owncastd with Debian's ffmpeg.

The publisher gets NetStream.Publish.Rejected naming the codec, the daemon logs it once, no
ffmpeg transcoder starts, `/api/healthz` and `owncastctl status` show the reason, and a plain
H.264 publish afterwards goes live and clears it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import trio

from tests.component.rtmp_client import AAC_SEQUENCE_HEADER, RtmpTestClient, command_of
from tests.e2e.harness import (
    ADMIN_PASSWORD,
    STREAM_KEY,
    DaemonProcess,
    Publisher,
    wait_for,
    write_config,
)
from tests.enhanced_flv import encode_hevc, hevc_tag_bodies

pytestmark = pytest.mark.e2e
OWNCASTCTL = Path(sys.executable).parent / "owncastctl"


async def publish_hevc(port: int, bodies: list[bytes]) -> dict[str, object]:
    """Publish enhanced-RTMP HEVC; the onStatus that ends it."""
    with trio.fail_after(20):
        client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
        await client.publish(STREAM_KEY)
        codec = client.codec
        await client.send(
            codec.metadata({"videocodecid": 7.0, "encoder": "obs-output module (libobs 30.1)"})
            + codec.audio(0, AAC_SEQUENCE_HEADER)
            + codec.video(0, bodies[0])
            + codec.video(0, bodies[1])
        )
        status = command_of(await client.read_until("NetStream.Publish.Rejected"))[3]
        await client.read_to_eof()
    assert isinstance(status, dict)
    return status


def ctl_status(daemon: DaemonProcess, home: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNCAST_")}
    env.update(
        XDG_CONFIG_HOME=str(home),
        NO_COLOR="1",
        COLUMNS="200",
        OWNCAST_URL=daemon.url,
        OWNCAST_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    result = subprocess.run(
        [str(OWNCASTCTL), "status"], capture_output=True, text=True, env=env, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


def test_an_hevc_publish_is_refused_and_health_says_why(tmp_path: Path) -> None:
    bodies = hevc_tag_bodies(encode_hevc(10))
    data_dir = tmp_path / "data"
    write_config(data_dir)
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        status = trio.run(publish_hevc, daemon.rtmp_port, bodies)
        assert status["level"] == "error"
        assert "H.265 (hvc1)" in str(status["description"])
        wait_for(
            lambda: any("publish refused" in line for line in daemon.lines),
            10,
            "the refusal logged",
            daemon.log,
        )
        refused = [line for line in daemon.lines if "publish refused" in line]
        assert len(refused) == 1, daemon.log()
        assert "WARNING" in refused[0]
        assert "video codec H.265 (hvc1) cannot be ingested by the installed ffmpeg" in refused[0]
        assert not any("transcoder starting" in line for line in daemon.lines), daemon.log()
        # Nothing was announced: the transcoder never got the refused publisher's session.
        assert not any("stream started" in line for line in daemon.lines), daemon.log()

        health = daemon.get("/api/healthz").json()
        assert health["status"] == "degraded"
        [problem] = health["problems"]
        assert problem.startswith("rtmp: last publish refused: video codec H.265 (hvc1)")
        shown = ctl_status(daemon, tmp_path / "home")
        assert "degraded rtmp: last publish refused: video codec H.265 (hvc1)" in shown

        publisher = Publisher(daemon.rtmp_url())
        try:
            daemon.wait_online(timeout=60)
        finally:
            publisher.stop()
        assert daemon.get("/api/healthz").json()["status"] == "ok"
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()

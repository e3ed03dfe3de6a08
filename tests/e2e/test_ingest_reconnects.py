"""End to end, issue 16 §4: 25 back-to-back short publishes with the right key against a real
daemon (its transcoder busy with each in turn) do not wedge ingest: a normal ffmpeg publisher
right after goes online, the admin's disconnect drops it, and healthz stays ok."""

from __future__ import annotations

import pytest
import trio

from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    RtmpTestClient,
    avc_frame,
    status_code,
)
from tests.e2e.harness import (
    ADMIN_PASSWORD,
    STREAM_KEY,
    DaemonProcess,
    Publisher,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.e2e

SHORT_PUBLISHES = 25


async def short_publish(port: int) -> str | None:
    """Publish with the right key, send a little media, hang up at once."""
    client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
    try:
        try:
            status = status_code(await client.publish(STREAM_KEY))
        except EOFError:
            return None  # dropped without an answer
        if status == "NetStream.Publish.Start":
            await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
            await client.send(client.codec.audio(0, AAC_SEQUENCE_HEADER))
            await client.send(client.codec.video(0, avc_frame(True)))
        return status
    finally:
        await client.stream.aclose()


async def test_rapid_reconnects_do_not_wedge_ingest(tmp_path):
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = None
    try:
        with trio.fail_after(60):
            statuses = [await short_publish(daemon.rtmp_port) for _ in range(SHORT_PUBLISHES)]
        # Each is accepted (or, while the previous hang-up is still being noticed, refused).
        assert None not in statuses and "NetStream.Publish.Start" in statuses, statuses
        # The last hang-up is noticed at once; then a normal publisher goes live.
        wait_for(lambda: daemon.admin_status()["broadcaster"] is None, 5, "idle", daemon.log)
        publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=15)
        daemon.wait_online()
        assert daemon.get("/api/healthz").json()["status"] == "ok"
        response = daemon.get("/api/admin/disconnect", auth=("admin", ADMIN_PASSWORD))
        assert response.json() == {"success": True, "message": "inbound stream disconnected"}
        assert publisher.wait(timeout=15) is not None  # the encoder was really dropped
    finally:
        if publisher is not None:
            publisher.stop()
        code = daemon.stop()
    assert code == 0, daemon.log()
    assert "rtmp connection failed unexpectedly" not in daemon.log()

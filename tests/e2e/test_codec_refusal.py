"""End to end against a real daemon: a publish refused for its codec (real libx265 HEVC in
enhanced-RTMP tags, which Debian's ffmpeg cannot ingest) announces nothing — no webhook, no
chat action, no stats change — while the encoder still gets the Rejected answer and the daemon
logs why. A real ffmpeg H.264 push right after fires STREAM_STARTED once, before its first
segment, and a second publisher is refused while it is live."""

from __future__ import annotations

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs
from tests.component.rtmp_client import AAC_SEQUENCE_HEADER, RtmpTestClient, status_code
from tests.component.test_rtmp_codecs import rejected
from tests.component.webhook_receiver import WebhookReceiver
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


def listed_segments(daemon: DaemonProcess) -> list[str]:
    response = daemon.get("/hls/0/stream.m3u8")
    return [line for line in response.text.splitlines() if line.endswith(".ts")]


async def publish(daemon: DaemonProcess) -> tuple[RtmpTestClient, str | None]:
    client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", daemon.rtmp_port))
    return client, status_code(await client.publish(STREAM_KEY))


async def push_hevc(daemon: DaemonProcess, bodies: list[bytes]) -> str:
    """Publish HEVC; the Rejected description (the server then closes)."""
    client, status = await publish(daemon)
    assert status == "NetStream.Publish.Start"
    codec = client.codec
    await client.send(
        codec.audio(0, AAC_SEQUENCE_HEADER) + codec.video(0, bodies[0]) + codec.video(0, bodies[1])
    )
    return str((await rejected(client))["description"])


async def chat_viewer(daemon: DaemonProcess) -> ChatWs:
    async with httpx.AsyncClient(base_url=daemon.url) as http:
        user = (await http.post("/api/chat/register", json={"displayName": "viewer"})).json()
    ws = await ChatWs.connect(daemon.http_port, user["accessToken"])
    assert isinstance(ws, ChatWs), ws
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


async def test_a_refused_codec_announces_nothing_and_a_good_push_announces_once(tmp_path):
    bodies = hevc_tag_bodies(await trio.to_thread.run_sync(encode_hevc, 3))
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path)
    publisher = None
    try:
        await trio.to_thread.run_sync(daemon.wait_ready)
        async with trio.open_nursery() as nursery:
            receiver = await WebhookReceiver().start(nursery)
            async with httpx.AsyncClient(base_url=daemon.url) as http:
                created = await http.post(
                    "/api/admin/webhooks/create",
                    json={"url": receiver.url, "events": ["STREAM_STARTED", "STREAM_STOPPED"]},
                    auth=("admin", ADMIN_PASSWORD),
                )
            assert created.status_code == 200, created.text
            ws = await chat_viewer(daemon)
            before = daemon.status()

            description = await push_hevc(daemon, bodies)
            assert description.startswith("Unsupported codec: video codec H.265 (hvc1)")
            await trio.to_thread.run_sync(
                wait_for,
                lambda: "reason=publish refused: video codec H.265 (hvc1)" in daemon.log(),
                10,
                "the refusal logged with its reason",
                daemon.log,
            )
            after = daemon.status()
            assert {**after, "serverTime": ""} == {**before, "serverTime": ""}
            assert after["lastConnectTime"] is None and after["lastDisconnectTime"] is None
            assert daemon.admin_status()["broadcaster"] is None

            publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=15)
            started = await receiver.next(timeout=30)
            assert started.json()["type"] == "STREAM_STARTED"
            assert await trio.to_thread.run_sync(listed_segments, daemon) == []  # early
            second, status = await publish(daemon)  # refused while the first is live
            assert status == "NetStream.Publish.BadName"
            await second.stream.aclose()
            await trio.to_thread.run_sync(
                wait_for, lambda: listed_segments(daemon), 30, "a segment", daemon.log
            )
            assert "starting" in (await ws.next_event("CHAT_ACTION"))["body"]
            # The refused publish sent nothing: had it, its pair would be here by now.
            assert len(receiver.received) == 1
            assert daemon.status()["lastConnectTime"] is not None

            publisher.stop()
            assert (await receiver.next(timeout=30)).json()["type"] == "STREAM_STOPPED"
            assert "ending" in (await ws.next_event("CHAT_ACTION"))["body"]
            assert [r.json()["type"] for r in receiver.received] == [
                "STREAM_STARTED",
                "STREAM_STOPPED",
            ]
            await ws.aclose()
            nursery.cancel_scope.cancel()
    finally:
        if publisher is not None:
            publisher.stop()
        code = await trio.to_thread.run_sync(daemon.stop)
    assert code == 0, daemon.log()

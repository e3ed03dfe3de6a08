"""RtmpServer over trio memory streams and loopback TCP, with a fake ingest gate."""

from __future__ import annotations

import logging
import socket
import struct

import pytest
import trio
import trio.testing

from owncastd.core.media import TagKind
from owncastd.errors import StartupError
from owncastd.rtmp.server import RtmpServer, format_peer
from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    FakeGate,
    FakePublication,
    RtmpTestClient,
    aac_frame,
    avc_frame,
    command_of,
    status_code,
)

PEER = "1.2.3.4:5678"
KEY = "abc123"
METADATA = {
    "width": 320.0,
    "height": 240.0,
    "framerate": 30.0,
    "videocodecid": 7.0,
    "videodatarate": 800.0,
    "audiocodecid": 10.0,
    "audiodatarate": 128.0,
    "encoder": "rtmp_client",
}


@pytest.fixture
def rtmp_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="owncastd.rtmp")
    return caplog


def closed_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("rtmp connection closed")]


def serve(nursery: trio.Nursery, server: RtmpServer) -> tuple[RtmpTestClient, trio.Event]:
    """A client on a memory stream that `server.handle_stream` serves in the background; the
    event is set once `handle_stream` has returned."""
    client_stream, server_stream = trio.testing.memory_stream_pair()
    done = trio.Event()

    async def run() -> None:
        await server.handle_stream(server_stream, PEER)
        done.set()

    nursery.start_soon(run)
    return RtmpTestClient(client_stream), done


async def wait_for_tags(publication: FakePublication, count: int) -> None:
    while len(publication.tags) < count:
        await publication.tag_arrived.wait()


async def test_publish_is_accepted_and_media_arrives(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0))
    with trio.fail_after(10):
        status = await client.publish(KEY + "?ignored=1")
        assert status_code(status) == "NetStream.Publish.Start"
        assert gate.keys_checked == [KEY]
        [publication] = gate.publications
        assert publication.peer == PEER
        c = client.codec
        await client.send(
            c.metadata(METADATA)
            + c.video(0, AVC_SEQUENCE_HEADER)
            + c.audio(0, AAC_SEQUENCE_HEADER)
            + b"".join(c.video(ts * 33, avc_frame(ts % 30 == 0, 2000)) for ts in range(60))
            + b"".join(c.audio(ts * 21, aac_frame()) for ts in range(90))
        )
        await wait_for_tags(publication, 1 + 2 + 60 + 90)
        await client.send(
            c.command("FCUnpublish", None, KEY) + c.command("deleteStream", None, 1.0)
        )
        await client.read_to_eof()
        await done.wait()
    assert publication.ended.is_set()
    assert publication.details is not None
    assert (publication.details.width, publication.details.audio_codec) == (320, "AAC")
    tags = publication.tags
    assert tags[0].kind is TagKind.SCRIPT
    assert sum(t.keyframe for t in tags) == 2
    assert sum(t.sequence_header for t in tags) == 2
    assert [t.timestamp for t in tags if t.kind is TagKind.VIDEO][1:] == [
        ts * 33 for ts in range(60)
    ]
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.INFO
    assert closed.getMessage() == (
        f"rtmp connection closed peer={PEER} reason=the publisher deleted its stream"
    )
    assert all(KEY not in r.getMessage() for r in rtmp_logs.records)


async def test_bad_key_is_refused_before_any_media(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "", 0))
    c = client.codec
    with trio.fail_after(10):
        await client.handshake()
        await client.send(c.connect())
        await client.read_until("NetConnection.Connect.Success")
        # Media right behind the publish command, as an encoder sends it.
        await client.send(
            c.publish_commands("not-the-key")
            + c.metadata(METADATA)
            + c.video(0, AVC_SEQUENCE_HEADER)
            + c.video(0, avc_frame(True))
        )
        info = command_of(await client.read_command("onStatus"))[3]
        assert info == {
            "level": "error",
            "code": "NetStream.Publish.BadName",
            "description": "Invalid stream key.",
        }
        await client.read_to_eof()
        await done.wait()
    assert gate.publications == []
    assert gate.keys_checked == ["not-the-key"]
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert closed.getMessage().startswith(f"rtmp connection closed peer={PEER} reason=publish ")
    assert all("not-the-key" not in r.getMessage() for r in rtmp_logs.records)


async def test_second_publisher_is_refused_while_the_first_is_live(nursery: trio.Nursery) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0)
    first_stream, first_server = trio.testing.memory_stream_pair()
    second_stream, second_server = trio.testing.memory_stream_pair()
    nursery.start_soon(server.handle_stream, first_server, "10.0.0.1:1000")
    nursery.start_soon(server.handle_stream, second_server, "10.0.0.2:2000")
    first, second = RtmpTestClient(first_stream), RtmpTestClient(second_stream)
    with trio.fail_after(10):
        assert status_code(await first.publish(KEY)) == "NetStream.Publish.Start"
        status = await second.publish(KEY)
        assert command_of(status)[3] == {
            "level": "error",
            "code": "NetStream.Publish.BadName",
            "description": "A stream is already live.",
        }
        await second.read_to_eof()
        [publication] = gate.publications
        await first.send(first.codec.video(0, AVC_SEQUENCE_HEADER))
        await wait_for_tags(publication, 1)
    assert not publication.ended.is_set()


async def test_read_timeout_ends_the_publication(
    nursery: trio.Nursery,
    autojump_clock: trio.testing.MockClock,
    rtmp_logs: pytest.LogCaptureFixture,
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0))
    await client.publish(KEY)
    [publication] = gate.publications
    await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
    await wait_for_tags(publication, 1)
    started = trio.current_time()
    await publication.ended.wait()
    assert trio.current_time() - started == pytest.approx(10.0)
    await client.read_to_eof()
    await done.wait()
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert closed.getMessage() == f"rtmp connection closed peer={PEER} reason=no data for 10 s"


async def test_a_silent_peer_times_out_during_the_handshake(
    autojump_clock: trio.testing.MockClock, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(b"\x03" + bytes(100))
    await RtmpServer(FakeGate(), "127.0.0.1", 0, read_timeout=3).handle_stream(server_stream, PEER)
    assert trio.current_time() == pytest.approx(3.0)
    assert closed_lines(rtmp_logs)[0].getMessage().endswith("reason=no data for 3 s")


async def test_admin_disconnect_closes_the_connection(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0))
    with trio.fail_after(10):
        await client.publish(KEY)
        [publication] = gate.publications
        publication.disconnect.set()
        await client.read_to_eof()
        await done.wait()
    assert publication.ended.is_set()
    [closed] = closed_lines(rtmp_logs)
    assert closed.getMessage().endswith("reason=disconnected by the admin")


async def test_back_pressure_stops_reading(nursery: trio.Nursery) -> None:
    gate = FakeGate(KEY)
    client_stream, server_stream = trio.testing.lockstep_stream_pair()
    nursery.start_soon(RtmpServer(gate, "127.0.0.1", 0).handle_stream, server_stream, PEER)
    client = RtmpTestClient(client_stream)
    with trio.fail_after(10):
        await client.publish(KEY)
    [publication] = gate.publications
    publication.send_gate = trio.Event()  # the transcoder's queue is full
    frames = b"".join(client.codec.video(ts, avc_frame(False, 60_000)) for ts in range(8))
    with trio.move_on_after(0.5) as blocked:
        await client.send(frames)
    assert blocked.cancelled_caught, "the server kept reading while send() was blocked"
    assert publication.tags == []
    publication.send_gate.set()
    with trio.fail_after(10):
        await wait_for_tags(publication, 1)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", "protocol error: not an RTMP handshake"),
        (b"\x03" + bytes(700), "truncated handshake (701 bytes)"),
    ],
)
async def test_garbage_and_truncated_handshakes_close_with_a_warning(
    rtmp_logs: pytest.LogCaptureFixture, data: bytes, reason: str
) -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(data)
    await client_stream.send_stream.aclose()
    with trio.fail_after(10):
        await RtmpServer(FakeGate(), "127.0.0.1", 0).handle_stream(server_stream, PEER)
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert closed.getMessage().startswith(f"rtmp connection closed peer={PEER} reason={reason}")


@pytest.mark.parametrize(
    ("after_handshake", "reason"),
    [
        (b"\x02" + bytes(3) + b"\x00\x00\x04\x01" + bytes(4) + b"\x7f\xff\xff\xff", "SetChunkSize"),
        (b"\x03" + bytes(3) + b"\x00\x00\x03\x14" + bytes(4) + b"\x05\x05\x05", "without a name"),
        (b"\x03" + bytes(3) + b"\xff\xff\xfe\x09" + bytes(4), "exceeds"),
    ],
)
async def test_protocol_errors_after_the_handshake_close_with_a_warning(
    rtmp_logs: pytest.LogCaptureFixture, after_handshake: bytes, reason: str
) -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    client = RtmpTestClient(client_stream)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(RtmpServer(FakeGate(), "", 0).handle_stream, server_stream, PEER)
        with trio.fail_after(10):
            await client.handshake()
            await client.send(after_handshake)
            await client.read_to_eof()
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert "reason=protocol error:" in closed.getMessage()
    assert reason in closed.getMessage()


async def test_tcp_server_survives_garbage_and_resets(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    port = await nursery.start(RtmpServer(gate, "127.0.0.1", 0).run)
    assert isinstance(port, int) and port > 0
    with trio.fail_after(10):
        garbage = await trio.open_tcp_stream("127.0.0.1", port)
        await garbage.send_all(b"\x16\x03\x01\x02\x00" + bytes(600))  # a TLS hello
        assert await garbage.receive_some() == b""
        await garbage.aclose()

        reset = await trio.open_tcp_stream("127.0.0.1", port)
        reset_client = RtmpTestClient(reset)
        await reset_client.publish(KEY)
        [first] = gate.publications
        reset.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await reset.aclose()  # RST
        await first.ended.wait()

        stream = await trio.open_tcp_stream("127.0.0.1", port)
        client = RtmpTestClient(stream)
        assert status_code(await client.publish(KEY)) == "NetStream.Publish.Start"
        await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
        await wait_for_tags(gate.publications[1], 1)
        await stream.aclose()
    peers = {r.getMessage().split()[3] for r in closed_lines(rtmp_logs)}
    assert all(p.startswith("peer=127.0.0.1:") for p in peers)
    assert any("protocol error" in r.getMessage() for r in closed_lines(rtmp_logs))


async def test_port_in_use_is_a_startup_error(nursery: trio.Nursery) -> None:
    assert await nursery.start(RtmpServer(FakeGate(), "127.0.0.1", 0).run) > 0  # a free one works
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError, match=f"cannot listen for RTMP on 127.0.0.1:{port}: "):
            await RtmpServer(FakeGate(), "127.0.0.1", port).run()


class ExplodingGate(FakeGate):
    def begin(self, remote_addr: str) -> FakePublication:
        raise RuntimeError("boom")


async def test_a_bug_in_one_connection_stays_in_that_connection(
    rtmp_logs: pytest.LogCaptureFixture,
) -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(RtmpServer(ExplodingGate(KEY), "", 0).handle_stream, server_stream, PEER)
        with trio.fail_after(10), pytest.raises(EOFError):
            await RtmpTestClient(client_stream).publish(KEY)
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert closed.getMessage().endswith("reason=internal error: RuntimeError('boom')")
    assert any(r.levelno == logging.ERROR and r.exc_info for r in rtmp_logs.records)


def test_format_peer() -> None:
    assert format_peer(("10.1.2.3", 1935)) == "10.1.2.3:1935"
    assert format_peer(("::1", 1935, 0, 0)) == "[::1]:1935"


async def test_connections_waiting_to_publish_are_limited(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0, max_waiting=2)
    clients = []
    with trio.fail_after(10):
        for n in range(2):
            client_stream, server_stream = trio.testing.memory_stream_pair()
            nursery.start_soon(server.handle_stream, server_stream, f"10.0.0.{n}:1")
            clients.append(RtmpTestClient(client_stream))
            await clients[-1].handshake()
        assert server.waiting == 2
        # A third stranger gets in: the oldest is closed, with a logged reason.
        client_stream, server_stream = trio.testing.memory_stream_pair()
        nursery.start_soon(server.handle_stream, server_stream, "10.0.0.9:1")
        third = RtmpTestClient(client_stream)
        await third.handshake()
        assert await clients[0].stream.receive_some() == b""
        assert server.waiting == 2
        [evicted] = [r for r in rtmp_logs.records if "evicted peer" in r.getMessage()]
        assert evicted.levelno == logging.WARNING
        assert evicted.getMessage() == (
            "rtmp connection evicted peer=10.0.0.0:1 "
            "reason=too many connections waiting to publish count=1"
        )
        # A publisher no longer counts: its slot goes to the next connection.
        await clients[1].send(clients[1].codec.connect())
        await clients[1].read_until("NetConnection.Connect.Success")
        await clients[1].send(clients[1].codec.publish_commands(KEY))
        assert status_code(await clients[1].read_command("onStatus")) == "NetStream.Publish.Start"
        assert server.waiting == 1
        client_stream, server_stream = trio.testing.memory_stream_pair()
        nursery.start_soon(server.handle_stream, server_stream, "10.0.0.3:1")
        await RtmpTestClient(client_stream).handshake()
        assert server.waiting == 2
        # A stranger that leaves frees its slot too.
        await third.stream.aclose()
        while server.waiting != 1:
            await trio.testing.wait_all_tasks_blocked()
        [publication] = gate.publications
        assert not publication.ended.is_set()


async def test_a_peer_must_publish_within_the_deadline(
    nursery: trio.Nursery,
    autojump_clock: trio.testing.MockClock,
    rtmp_logs: pytest.LogCaptureFixture,
) -> None:
    server = RtmpServer(FakeGate(KEY), "127.0.0.1", 0)
    client, done = serve(nursery, server)
    started = trio.current_time()
    await client.handshake()
    await client.send(client.codec.connect())
    await client.read_until("NetConnection.Connect.Success")
    # A slow peer: one small command every 4 s, well inside the 10 s read timeout.
    with trio.fail_after(60):
        while not done.is_set():
            await client.send(client.codec.command("releaseStream", None, "x"))
            with trio.move_on_after(4):
                await done.wait()
    assert trio.current_time() - started == pytest.approx(15.0)
    assert server.waiting == 0
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert (
        closed.getMessage() == f"rtmp connection closed peer={PEER} reason=no publish within 15 s"
    )


async def test_an_accepted_publisher_outlives_the_publish_deadline(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0, publish_timeout=5))
    await client.publish(KEY)
    [publication] = gate.publications
    for ts in range(30):  # 30 s of one frame a second
        await client.send(client.codec.video(ts * 1000, avc_frame(ts == 0)))
        await trio.sleep(1)
    await wait_for_tags(publication, 30)
    assert not done.is_set() and not publication.ended.is_set()

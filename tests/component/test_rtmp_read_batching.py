"""Fewer socket reads while publishing (issue 17): the RTMP socket's SO_RCVLOWAT follows the
publisher's rate, and what waits below the mark is still read when the sender goes quiet."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
import trio

from owncastd.rtmp import connection as rtmp_connection
from owncastd.rtmp.read_batching import BATCH_SECONDS, SETTLE
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import AVC_SEQUENCE_HEADER, FakeGate, RtmpTestClient, avc_frame

KEY = "abc123"
RATE = 400_000  # bytes per second of media
TICK = 0.02


async def test_reads_are_batched_at_the_publishers_rate_and_a_quiet_sender_is_read(
    nursery: trio.Nursery, monkeypatch: pytest.MonkeyPatch
) -> None:
    marks: list[int] = []
    real = rtmp_connection._lowat_setter

    def recording(stream: trio.abc.Stream) -> Callable[[int], None] | None:
        setter = real(stream)
        assert setter is not None  # a TCP connection can batch

        def apply(size: int) -> None:
            setter(size)  # the real setsockopt on the server's socket
            marks.append(size)
            assert isinstance(stream, trio.SocketStream)
            assert stream.getsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT) == size

        return apply

    monkeypatch.setattr(rtmp_connection, "_lowat_setter", recording)
    gate = FakeGate(KEY)
    port = await nursery.start(RtmpServer(gate, "127.0.0.1", 0).run)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    client = RtmpTestClient(stream)
    with trio.fail_after(10):
        await client.publish(KEY)
        c = client.codec
        await client.send(c.video(0, AVC_SEQUENCE_HEADER))
        frame = avc_frame(False, int(RATE * TICK))
        ts = 0
        while not marks:  # about one second at RATE, then the mark is set
            await client.send(c.video(ts, frame))
            ts += int(TICK * 1000)
            await trio.sleep(TICK)
        assert RATE * BATCH_SECONDS * 0.5 < marks[0] < RATE * BATCH_SECONDS * 2
        # The sender stops after a last small command: it is read within SETTLE (the mark
        # goes back to one byte), not at the read timeout.
        sent_at = trio.current_time()
        await client.send(
            c.command("FCUnpublish", None, KEY) + c.command("deleteStream", None, 1.0)
        )
        await client.read_to_eof()
        await gate.publications[0].ended.wait()
    assert trio.current_time() - sent_at < SETTLE + 0.5
    assert marks[-1] == 1

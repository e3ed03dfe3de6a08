"""No RTMP peer can stall the event loop with costly AMF: decode work is bounded and budgeted."""

from __future__ import annotations

import contextlib
import logging
import struct

import pytest
import trio
import trio.testing

from owncastd.rtmp import amf0
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import FakeGate
from tests.component.test_rtmp_server import KEY, closed_lines, serve
from tests.component.test_rtmp_server import rtmp_logs as rtmp_logs


def empty_objects(size: int, *, width: float = 0.0) -> bytes:
    """An AMF0 ECMA array of about `size` bytes: `size / 7` properties that are empty objects
    (then a width, so that decoding it would be seen)."""
    entry = b"\x00\x01a\x03\x00\x00\x09"
    count = (size - 32) // len(entry)
    width_entry = b"\x00\x05width" + amf0.encode(width)
    return b"\x08" + struct.pack(">I", count + 1) + entry * count + width_entry + b"\x00\x00\x09"


async def test_a_command_of_empty_objects_is_refused_before_publish(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    client, done = serve(nursery, RtmpServer(FakeGate(KEY), "127.0.0.1", 0))
    c = client.codec
    info = {"app": "live", "tcUrl": "rtmp://localhost/live"}
    c.txn += 1
    body = amf0.encode_all("connect", float(c.txn), info) + empty_objects(60_000)
    bomb = c.set_chunk_size() + c.message(3, 20, 0, 0, body)
    assert 60_000 < len(body) <= 64 * 1024
    with trio.fail_after(10):
        await client.handshake()
        await client.send(bomb)
        await client.read_to_eof()
        await done.wait()
    [closed] = closed_lines(rtmp_logs)
    assert closed.levelno == logging.WARNING
    assert closed.getMessage().endswith(
        "reason=protocol error: AMF message with more than 128 values"
    )


async def test_a_stranger_has_a_decode_budget(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    client, done = serve(nursery, RtmpServer(FakeGate(KEY), "127.0.0.1", 0))
    c = client.codec
    with trio.fail_after(10):
        await client.handshake()
        await client.send(c.connect())
        await client.read_until("NetConnection.Connect.Success")
        await client.send(b"".join(c.command("releaseStream", None, "x") for _ in range(5)))
        await client.read_command("_result")  # a few are answered
        # Small, valid commands, each cheap, but many of them at once.
        await client.send(b"".join(c.command("releaseStream", None, "x") for _ in range(200)))
        await client.read_to_eof()
        await done.wait()
    [closed] = closed_lines(rtmp_logs)
    assert closed.getMessage().endswith(
        "reason=protocol error: decode budget spent (burst 256, 64/s)"
    )


async def test_the_stranger_budget_refills_with_time(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    server = RtmpServer(FakeGate(KEY), "127.0.0.1", 0, publish_timeout=120)
    client, done = serve(nursery, server)
    c = client.codec
    await client.handshake()
    await client.send(c.connect())
    await client.read_until("NetConnection.Connect.Success")
    # A command costs 6 units (the message and its 4 values, +1): 5 a second is 30 units/s,
    # within the 64/s refill, for as long as the publish deadline allows.
    for _ in range(60):
        await client.send(b"".join(c.command("releaseStream", None, "x") for _ in range(5)))
        await client.read_command("_result")
        await trio.sleep(1)
    assert not done.is_set()
    # 30 a second (180 units/s) empties the 256 burst in about two seconds.
    started = trio.current_time()
    with contextlib.suppress(trio.BrokenResourceError):
        while not done.is_set():
            await client.send(b"".join(c.command("releaseStream", None, "x") for _ in range(30)))
            await trio.sleep(1)
    assert 1 <= trio.current_time() - started <= 3


async def test_huge_metadata_after_publish_is_not_decoded(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0))
    with trio.fail_after(30):
        await client.publish(KEY)
        [publication] = gate.publications
        body = amf0.encode_all("@setDataFrame", "onMetaData")
        body += empty_objects(8 * 1024 * 1024 - 1024, width=320.0)
        metadata = client.codec.message(5, 18, 1, 0, body)
        for _ in range(3):
            await client.send(metadata)
        await client.read_to_eof()
        await done.wait()
    assert publication.details is None
    ignored = [r.getMessage() for r in rtmp_logs.records if "message ignored" in r.getMessage()]
    assert ignored and "over the 65536 limit" in ignored[0]
    [closed] = closed_lines(rtmp_logs)
    assert closed.getMessage().endswith(
        "reason=protocol error: decode budget spent (burst 16384, 4096/s)"
    )


async def test_a_publisher_sending_metadata_now_and_then_keeps_going(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0))
    await client.publish(KEY)
    [publication] = gate.publications
    for n in range(120):  # two minutes of a 500-value caption blob every second
        blob = amf0.EcmaArray({f"k{i}": float(i) for i in range(500)}, width=float(n + 1))
        await client.send(client.codec.metadata(blob, ts=n * 1000))
        await trio.sleep(1)
    assert not done.is_set()
    assert publication.details is not None and publication.details.width == 120

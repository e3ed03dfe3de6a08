"""Strangers cannot lock the publisher out: waiting slots per address, eviction, key budget."""

from __future__ import annotations

import contextlib
import logging

import pytest
import trio
import trio.testing

from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import FakeGate, RtmpTestClient, command_of, status_code
from tests.component.test_rtmp_server import KEY, closed_lines
from tests.component.test_rtmp_server import rtmp_logs as rtmp_logs


def connect(nursery: trio.Nursery, server: RtmpServer, peer: str) -> RtmpTestClient:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    nursery.start_soon(server.handle_stream, server_stream, peer)
    return RtmpTestClient(client_stream)


async def hold(client: RtmpTestClient) -> None:
    """What a holder does: handshake and connect, then nothing."""
    await client.handshake()
    await client.send(client.codec.connect())
    await client.read_until("NetConnection.Connect.Success")


async def test_holders_from_many_addresses_cannot_lock_out_the_publisher(
    nursery: trio.Nursery,
) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0)
    with trio.fail_after(10):
        for n in range(16):  # two from each of eight addresses
            await hold(connect(nursery, server, f"10.0.{n // 2}.1:{4000 + n}"))
        assert server.waiting == 16
        publisher = connect(nursery, server, "192.0.2.7:5000")
        assert status_code(await publisher.publish(KEY)) == "NetStream.Publish.Start"
    assert [p.peer for p in gate.publications] == ["192.0.2.7:5000"]


async def test_one_address_holds_at_most_two_waiting_slots(
    nursery: trio.Nursery, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    server = RtmpServer(FakeGate(KEY), "127.0.0.1", 0)
    with trio.fail_after(10):
        other = connect(nursery, server, "10.9.9.9:1")
        await hold(other)
        holders = []
        for port in range(5):
            holders.append(connect(nursery, server, f"10.0.0.1:{port}"))
            await hold(holders[-1])
        assert server.waiting == 3
        for evicted in holders[:3]:  # the oldest of that address went, the other one stays
            await evicted.read_to_eof()
    evictions = [r for r in rtmp_logs.records if "connection evicted" in r.getMessage()]
    assert len(evictions) == 1  # one line for the burst, not one per connection
    assert "peer=10.0.0.1:0" in evictions[0].getMessage()


async def test_holders_over_tcp_cannot_lock_out_the_publisher(nursery: trio.Nursery) -> None:
    gate = FakeGate(KEY)
    # Everything comes from 127.0.0.1 here, so one address may fill the table.
    server = RtmpServer(gate, "127.0.0.1", 0, max_waiting=8, max_waiting_per_client=8)
    port = await nursery.start(server.run)
    with trio.fail_after(10):
        holders = [RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port)) for _ in range(8)]
        for holder in holders:
            await hold(holder)
        assert server.waiting == 8
        publisher = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
        assert status_code(await publisher.publish(KEY)) == "NetStream.Publish.Start"
        assert len(gate.publications) == 1
        await holders[0].read_to_eof()


async def test_a_slow_peer_must_finish_the_handshake_quickly(
    nursery: trio.Nursery,
    autojump_clock: trio.testing.MockClock,
    rtmp_logs: pytest.LogCaptureFixture,
) -> None:
    client_stream, server_stream = trio.testing.memory_stream_pair()
    server = RtmpServer(FakeGate(), "127.0.0.1", 0)

    async def trickle() -> None:  # a byte every 4 s keeps the 10 s read timeout at bay
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await client_stream.send_all(b"\x03")
            while True:
                await trio.sleep(4)
                await client_stream.send_all(bytes(1))

    nursery.start_soon(trickle)
    await server.handle_stream(server_stream, "10.0.0.1:1")
    assert trio.current_time() == pytest.approx(5.0)
    [closed] = closed_lines(rtmp_logs)
    assert closed.getMessage().endswith("reason=no handshake within 5 s")


async def try_key(nursery: trio.Nursery, server: RtmpServer, peer: str, key: str) -> object:
    """The publish reply's info object, or "closed" if the server closed first."""
    client = connect(nursery, server, peer)
    try:
        info = command_of(await client.publish(key))[3]
    except EOFError:
        return "closed"
    await client.stream.aclose()
    return info


async def test_stream_key_guesses_are_limited_per_address(
    nursery: trio.Nursery,
    autojump_clock: trio.testing.MockClock,
    rtmp_logs: pytest.LogCaptureFixture,
) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0)
    guesser = "203.0.113.5:6000"
    for n in range(10):
        info = await try_key(nursery, server, guesser, f"guess-{n}")
        assert isinstance(info, dict) and info["description"] == "Invalid stream key."
    started = trio.current_time()
    # The budget is spent: further connections from that address close at once, unchecked,
    # even with the right key.
    for n in range(50):
        assert await try_key(nursery, server, guesser, f"guess-more-{n}") == "closed"
    assert await try_key(nursery, server, guesser, KEY) == "closed"
    assert trio.current_time() == started
    assert gate.keys_checked == [f"guess-{n}" for n in range(10)]
    limited = [r for r in rtmp_logs.records if "guesses limited" in r.getMessage()]
    assert [r.getMessage() for r in limited] == [
        "rtmp stream key guesses limited client=203.0.113.5 burst=10 per_minute=10 retry_after=6s"
    ]
    refused = [r for r in rtmp_logs.records if "connection refused" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelno == logging.WARNING
    # The right key from elsewhere still works.
    publisher = connect(nursery, server, "198.51.100.1:7000")
    assert status_code(await publisher.publish(KEY)) == "NetStream.Publish.Start"
    await publisher.stream.aclose()
    await gate.publications[0].ended.wait()
    # The budget refills with time: one more try every 6 s.
    await trio.sleep(6)
    info = await try_key(nursery, server, guesser, "one-more-guess")
    assert isinstance(info, dict) and info["description"] == "Invalid stream key."
    assert await try_key(nursery, server, guesser, KEY) == "closed"
    await trio.sleep(6)
    info = await try_key(nursery, server, guesser, KEY)
    assert isinstance(info, dict) and info["code"] == "NetStream.Publish.Start"

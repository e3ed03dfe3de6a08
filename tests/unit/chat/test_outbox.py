"""The outbound queue both chat transports share: bounded, batched, control bytes in order."""

from __future__ import annotations

import trio
import trio.testing

from owncastd.core.chat.outbox import OutboxQueue
from owncastd.core.chat.wire import Outgoing


def event(n: int) -> Outgoing:
    return Outgoing("CHAT", f'{{"n": {n}}}'.encode())


def test_events_are_taken_as_one_batch_up_to_the_next_control_bytes() -> None:
    out = OutboxQueue(limit=10)
    assert out.push(event(1)) and out.push(event(2))
    out.put_control(b"ping")
    assert out.push(event(3))
    assert [e.payload for e in out.take()] == [b'{"n": 1}', b'{"n": 2}']
    assert out.take() == b"ping"
    assert [e.payload for e in out.take()] == [b'{"n": 3}']
    assert not out


def test_a_full_queue_refuses_and_a_closing_one_swallows() -> None:
    out = OutboxQueue(limit=2)
    assert out.push(event(1)) and out.push(event(2))
    assert not out.push(event(3))  # full: the room drops this client
    assert len(out) == 2
    assert out.start_closing()
    assert not out.start_closing()  # only the first call closes
    assert out.push(event(4))  # accepted and dropped: the connection is going
    assert len(out) == 2


async def test_the_writer_wakes_for_each_push_and_sleeps_otherwise() -> None:
    out = OutboxQueue()
    woke = 0

    async def writer() -> None:
        nonlocal woke
        while True:
            await out.wait()
            woke += 1
            while out:
                out.take()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(writer)
        await trio.testing.wait_all_tasks_blocked()
        assert woke == 0
        out.push(event(1))
        await trio.testing.wait_all_tasks_blocked()
        assert woke == 1 and not out
        out.put_control(b"x")
        await trio.testing.wait_all_tasks_blocked()
        assert woke == 2 and not out
        nursery.cancel_scope.cancel()

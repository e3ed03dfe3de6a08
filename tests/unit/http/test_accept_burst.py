"""A burst of new connections is accepted within a few scheduler rounds however many
connection tasks are busy: trio runs ready tasks in turn, so a single acceptor would take one
connection per round of all of them (seconds at 400 busy viewers)."""

from __future__ import annotations

import socket
from functools import partial

import trio
import trio.testing

from owncastd.http.transport.accept import serve_listeners

BUSY = 200
BURST = 48


async def test_a_burst_is_accepted_in_few_rounds_of_busy_tasks() -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    spins = 0
    accepted = 0
    all_accepted = trio.Event()

    async def busy() -> None:
        nonlocal spins
        while True:
            spins += 1
            await trio.lowlevel.checkpoint()

    async def handler(stream: trio.SocketStream) -> None:
        nonlocal accepted
        accepted += 1
        if accepted == BURST:
            all_accepted.set()
        await trio.sleep_forever()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(partial(serve_listeners, handler, listeners, handler_nursery=nursery))
        await trio.testing.wait_all_tasks_blocked()
        for _ in range(BUSY):
            nursery.start_soon(busy)
        await trio.lowlevel.checkpoint()
        # connected without yielding to trio: the whole burst waits in the accept queue
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(BURST)]
        spins = 0
        with trio.fail_after(10):
            await all_accepted.wait()
        # one acceptor: about BURST rounds of BUSY spins; several: a fraction of that
        assert spins < BUSY * BURST / 2, spins
        for client in clients:
            client.close()
        nursery.cancel_scope.cancel()

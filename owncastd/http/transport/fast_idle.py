"""Keep-alive deadlines of the lean path's connections, kept by one task for all of them.

A connection waiting for its next request head must get it by its deadline (the keep-alive
timeout after its last answer), else it is closed. A `trio.move_on_at` around every wait cost
a cancel scope and a registered deadline per request (~10% of a playlist request's CPU at 400
connections: `py-spy`, bench/README.md). Here a request only stores its deadline; `IdleCloser`
keeps one heap entry per connection and sleeps until the earliest. When it comes due, the
connection is closed if it is still waiting for a head by then (closing its socket wakes the
wait with ClosedResourceError); one that was answered since is put back with its new
deadline; one busy answering puts itself back when it next waits. Deadlines only ever move
later (the timeout is fixed per listener), so a new entry is never earlier than the one the
task sleeps for, and the closing time is as exact as a cancel scope's.
"""

from __future__ import annotations

import heapq
import itertools

import trio

from owncastd.http.transport.fast_send import receive_on_socket


class IdleWait:
    """One connection's keep-alive state."""

    __slots__ = ("deadline", "done", "queued", "socket", "waiting")

    def __init__(self, socket: trio.socket.SocketType, deadline: float) -> None:
        self.socket = socket
        self.deadline = deadline
        self.waiting = False  # in the wait for more of a request head
        self.queued = False  # has an entry in the closer's heap
        self.done = False  # the lean path is finished with it


class IdleCloser:
    """Closes connections still waiting for a request head at their deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, IdleWait]] = []
        self._order = itertools.count()
        self._added = trio.Event()
        self._scope: trio.CancelScope | None = None
        self.running = False

    async def receive(self, wait: IdleWait, deadline: float, max_bytes: int) -> bytes:
        """More of a request head on `wait`'s socket by `deadline`; b"" on timeout, EOF, a
        broken connection, or at once once the closer stopped (the server is stopping)."""
        if not self.running:
            return b""
        wait.deadline = deadline
        self.watch(wait)
        wait.waiting = True
        try:
            return await receive_on_socket(wait.socket, max_bytes)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            return b""
        finally:
            wait.waiting = False

    def watch(self, wait: IdleWait) -> None:
        """Give `wait` an entry in the heap (when its deadline was set, before it waits)."""
        if wait.queued:
            return
        wait.queued = True
        heapq.heappush(self._heap, (wait.deadline, next(self._order), wait))
        if len(self._heap) == 1:
            self._added.set()

    def stop(self) -> None:
        """End `run`: the connections waiting for a request are closed at once, the others
        once they have answered their request (a graceful stop)."""
        if self._scope is not None:
            self._scope.cancel()

    async def run(self) -> None:
        """Close waiting connections at their deadlines, until stopped or cancelled."""
        self.running = True
        try:
            with trio.CancelScope() as self._scope:
                await self._close_due()
        finally:
            self.running = False
            for _, _, wait in self._heap:
                if wait.waiting and not wait.done:
                    wait.socket.close()
            self._heap.clear()

    async def _close_due(self) -> None:
        while True:
            if not self._heap:
                self._added = trio.Event()
                await self._added.wait()
                continue
            deadline = self._heap[0][0]
            if trio.current_time() < deadline:
                await trio.sleep_until(deadline)
                continue
            _, _, wait = heapq.heappop(self._heap)
            wait.queued = False
            if wait.done:
                continue
            if wait.deadline > deadline:  # answered since: its later deadline
                self.watch(wait)
            elif wait.waiting:
                wait.socket.close()

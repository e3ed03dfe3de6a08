"""The outbound half every chat transport shares (the raw websocket and the ASGI fallback).

A client's events wait in a bounded queue for that connection's one writer task; `push` never
blocks and says False when the queue is full (the room then drops the slow client). Raw
control bytes (pings, close frames) may be queued between events and are sent as they are;
a run of events is taken at once, so the writer can send them in one frame joined by "\\n",
as Owncast does.
"""

from __future__ import annotations

from collections import deque

import trio

from owncastd.core.chat.wire import Outgoing

QUEUE_LIMIT = 256  # events (and control frames) waiting for one client


class OutboxQueue:
    """Events and control bytes waiting for one connection's writer."""

    __slots__ = ("_items", "_limit", "_wake", "closing")

    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        # Created when something has to wait and dropped once drained: most clients never
        # queue anything, and an empty deque costs ~0.6 KB (issue 17: per-socket memory).
        self._items: deque[Outgoing | bytes] | None = None
        self._limit = limit
        self._wake = trio.Event()
        self.closing = False

    def __len__(self) -> int:
        return len(self._items) if self._items is not None else 0

    def _queue(self) -> deque[Outgoing | bytes]:
        if self._items is None:
            self._items = deque()
        return self._items

    def push(self, event: Outgoing) -> bool:
        """Queue `event` for the writer; False when the queue is full (dropped once closing)."""
        if self.closing:
            return True
        if len(self) >= self._limit:
            return False
        self._queue().append(event)
        self._wake.set()
        return True

    def put_control(self, data: bytes) -> None:
        """Queue raw bytes to send as they are (control frames are few and small: no limit)."""
        self._queue().append(data)
        self._wake.set()

    def start_closing(self) -> bool:
        """Refuse further events; True the first time (the caller then queues its close)."""
        if self.closing:
            return False
        self.closing = True
        self._wake.set()
        return True

    def wake(self) -> None:
        """Wake the writer (e.g. it has bytes of its own left to send)."""
        self._wake.set()

    async def wait(self) -> None:
        """Until something was queued (or woken) since the last wait."""
        await self._wake.wait()
        self._wake = trio.Event()

    def take(self) -> bytes | list[Outgoing]:
        """Control bytes as they are, or every event queued before the next control bytes."""
        items = self._queue()
        first = items.popleft()
        if isinstance(first, bytes):
            taken: bytes | list[Outgoing] = first
        else:
            taken = [first]
            while items and not isinstance(items[0], bytes):
                item = items.popleft()
                assert isinstance(item, Outgoing)
                taken.append(item)
        if not items:
            self._items = None
        return taken

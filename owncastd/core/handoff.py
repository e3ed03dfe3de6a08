"""A one-slot hand-off where the newest item wins (the stream's sessions to the transcoder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import trio

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Holds at most one item for a consumer; `put` never blocks and never fails.

    An item still waiting when a newer one arrives is passed to `on_drop` and forgotten.
    Iterate with `async for`, or take one with `receive()` / `receive_nowait()`.
    """

    def __init__(self, on_drop: Callable[[T], object] = lambda _: None) -> None:
        self._waiting: T | None = None
        self._arrived = trio.Event()
        self._on_drop = on_drop

    def put(self, item: T) -> None:
        """Offer `item`, replacing (and dropping) an older one still waiting."""
        older, self._waiting = self._waiting, item
        self._arrived.set()
        if older is not None:
            self._on_drop(older)

    def receive_nowait(self) -> T:
        """The waiting item; raises trio.WouldBlock when there is none."""
        item, self._waiting = self._waiting, None
        if item is None:
            raise trio.WouldBlock
        self._arrived = trio.Event()
        return item

    async def receive(self) -> T:
        """Wait for the next item."""
        while self._waiting is None:
            await self._arrived.wait()
        return self.receive_nowait()

    def __aiter__(self) -> LatestSlot[T]:
        return self

    async def __anext__(self) -> T:
        return await self.receive()

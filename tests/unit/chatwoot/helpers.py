"""A real SQLite store for the bridge tests, and a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import trio

from owncastd.store.chatwoot import ChatwootStore
from owncastd.store.database import Store


class Clock:
    """Wall time in Unix seconds that only moves when told."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def bridge_store(path: Path) -> AsyncIterator[ChatwootStore]:
    """The bridge's repository over a running Store at `path` (reopened by a second use)."""
    store = Store(path)
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        yield ChatwootStore(store)
        nursery.cancel_scope.cancel()

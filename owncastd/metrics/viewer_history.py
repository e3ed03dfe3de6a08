"""Viewer counts over time (reference §8.3): a sample every 2 minutes while the stream is online.

Samples go to SQLite (`viewer_samples`) so the admin's chart survives restarts; samples older
than the retention period are pruned once a day.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import trio

from owncastd.core.periodic import periodic

log = logging.getLogger(__name__)

SAMPLE_INTERVAL_SECONDS = 120.0
RETENTION = timedelta(days=30)
PRUNE_EVERY_SAMPLES = 720  # once a day at one sample per 2 minutes


class SampleRepository(Protocol):
    """Where samples are kept (see `owncastd.store.viewer_samples`)."""

    async def add(self, at: datetime, count: int) -> None: ...

    async def prune(self, before: datetime) -> None: ...

    async def since(self, start: datetime, limit: int = ...) -> list[tuple[datetime, int]]: ...


class ViewerHistory:
    """Records `count()` every `interval` seconds while `online()`."""

    def __init__(
        self,
        repository: SampleRepository,
        *,
        online: Callable[[], bool],
        count: Callable[[], int],
        clock: Callable[[], datetime],
        interval: float = SAMPLE_INTERVAL_SECONDS,
        retention: timedelta = RETENTION,
    ) -> None:
        self._repository = repository
        self._online = online
        self._count = count
        self._clock = clock
        self._interval = interval
        self._retention = retention
        self._ticks = 0

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Sample every interval until cancelled."""
        task_status.started()
        await periodic(self._interval, self.tick)

    async def tick(self) -> None:
        """Record one sample if online; prune now and then. Database errors are logged."""
        try:
            if self._online():
                await self._repository.add(self._clock(), self._count())
            if self._ticks % PRUNE_EVERY_SAMPLES == 0:
                await self._repository.prune(self._clock() - self._retention)
        except sqlite3.Error as exc:
            log.warning("viewer sample not saved error=%s", exc)
        self._ticks += 1

    async def since(self, start: datetime) -> list[tuple[datetime, int]]:
        """Samples at or after `start`, oldest first."""
        return await self._repository.since(start)

"""Stopping the daemon at an admin's request (`/api/admin/update/forcequit`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 0.5


class ShutdownRequest:
    """Stops the daemon shortly after an admin asked, so the answer still reaches them."""

    def __init__(self, stop: Callable[[], None], grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        self._stop = stop
        self._grace = grace
        self._requested = trio.Event()

    def request(self) -> None:
        """Ask for a clean shutdown (idempotent)."""
        self._requested.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Wait for a request, let the response leave, then stop the daemon."""
        task_status.started()
        await self._requested.wait()
        await trio.sleep(self._grace)
        log.warning("stopping at the admin's request")
        self._stop()

"""One HTTP connection served by hypercorn's trio `TCPServer`, with owncastd's deadlines
(see hypercorn_bridge.py for why). Imported by the bridge with the first connection it serves:
hypercorn's trio server (h2 included) is not needed before then (issue 17: startup).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator
from typing import Any

import h11
import trio
from hypercorn.events import Event, RawData, Updated
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.trio.tcp_server import TCPServer

from owncastd.http.transport.limits import ConnectionLimits

log = logging.getLogger("owncastd.http.transport.hypercorn_bridge")

CLOSE_SECONDS = 1.0


class GuardedTCPServer(TCPServer):
    """One HTTP connection served by hypercorn, closed when one of our deadlines passes."""

    def __init__(self, *args: Any, limits: ConnectionLimits, peer: str) -> None:
        super().__init__(*args)
        self._limits = limits
        self._peer = peer
        self._busy_since: float | None = None
        self._idle_since = trio.current_time()
        self._changed = trio.Event()

    def __await__(self) -> Generator[Any]:
        return self.serve().__await__()

    async def serve(self) -> None:
        """Run hypercorn's connection with the deadline watcher beside it."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self.watch)
            await self.run()
            nursery.cancel_scope.cancel()

    async def protocol_send(self, event: Event) -> None:
        """hypercorn's, noting when requests start and end (and refusing HTTP/2)."""
        if isinstance(event, RawData) and not self.speaks_http1():
            log.info("http/2 refused peer=%s", self._peer)
            with trio.move_on_after(CLOSE_SECONDS, shield=True):
                await self.stream.aclose()
            return
        if isinstance(event, Updated):
            if event.idle:
                self._busy_since = None
                self._idle_since = trio.current_time()
            elif self._busy_since is None:
                self._busy_since = trio.current_time()
            self._changed.set()
        await super().protocol_send(event)

    def deadline(self) -> float:
        """When the connection is closed unless something happens first."""
        if self._busy_since is None:
            return self._idle_since + self._limits.keep_alive_timeout
        if self.receiving_body():
            return self._busy_since + self._limits.body_timeout
        return math.inf

    def speaks_http1(self) -> bool:
        """False once hypercorn has switched the connection to HTTP/2."""
        return isinstance(getattr(getattr(self, "protocol", None), "protocol", None), H11Protocol)

    def receiving_body(self) -> bool:
        """True while the current request's body is still arriving."""
        protocol = getattr(getattr(self, "protocol", None), "protocol", None)
        connection = getattr(protocol, "connection", None)
        return isinstance(connection, h11.Connection) and connection.their_state is h11.SEND_BODY

    async def watch(self) -> None:
        """Close the connection once its current deadline has passed."""
        while True:
            changed = self._changed = trio.Event()
            with trio.move_on_at(self.deadline()):
                await changed.wait()
            if trio.current_time() >= self.deadline():
                break
        reason = "idle" if self._busy_since is None else "body-timeout"
        log.debug("http connection closed peer=%s reason=%s", self._peer, reason)
        with trio.move_on_after(CLOSE_SECONDS, shield=True):
            await self._initiate_server_close()

    async def _close(self) -> None:
        # Often called from the app's task while quart-trio cancels it: finish regardless.
        with trio.move_on_after(CLOSE_SECONDS, shield=True):
            await super()._close()

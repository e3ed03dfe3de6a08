"""Everything owncastd takes from hypercorn's internals, in one module: its `Config`, listening
sockets, the ASGI lifespan, the worker context and the trio `TCPServer` that serves one
connection (:class:`HypercornBridge`, which the front door drives). None of these are public
API, so hypercorn is pinned to the minor version this was written against (0.18, see
pyproject.toml) and `tests/unit/http/test_hypercorn_bridge.py` fails loudly when they change.

Two things go wrong in hypercorn 0.17/0.18 under quart-trio, and this subclass fixes both:

* Its keep-alive timer is started from inside the app's request task, and quart-trio cancels
  that task's nursery as the response ends, which cancels the new timer with it: idle
  connections were never closed. `GuardedTCPServer.watch` keeps our own deadlines instead,
  driven by hypercorn's `Updated(idle=…)` events: `keep_alive_timeout` while no request is in
  progress (a next head trickled in counts as idle too), `body_timeout` from a request's head
  while its body is still arriving (h11's `their_state` is SEND_BODY), none while the app
  works on a fully received request (write deadlines live in the stream).
* When the app answers before the request body arrived (401/404/415), hypercorn closes the
  connection (RFC 9112 §9.6), but it does so from that same, cancelled task: the close was
  interrupted, the reader paused for good, and the connection hung. `_close` is shielded.

Cleartext HTTP/2 (prior knowledge, or an `Upgrade: h2c`) is not offered, as in Owncast: our
deadlines follow h11, and hypercorn would multiplex up to 100 streams per connection past the
per-connection caps. A connection hypercorn switches to HTTP/2 is closed before its first
HTTP/2 frame.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from contextlib import asynccontextmanager
from typing import Any

import h11
import trio
from hypercorn.config import Config
from hypercorn.events import Event, RawData, Updated
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ASGIFramework, ConnectionState
from hypercorn.utils import repr_socket_addr, wrap_app

from owncastd.http.transport.limits import ConnectionLimits

log = logging.getLogger(__name__)

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


AsgiApp = ASGIFramework | Callable[..., Awaitable[None]]


class HypercornBridge:
    """hypercorn as the front door uses it: one app, its lifespan, and one connection at a time.

    `bind` is hypercorn's bind string; the other arguments are the matching `Config` fields.
    """

    def __init__(
        self,
        app: AsgiApp,
        bind: str,
        *,
        access_log: logging.Logger | None,
        error_log: logging.Logger,
        keep_alive_timeout: float,
        graceful_timeout: float,
        head_limit: int,
        ping_interval: float | None,
    ) -> None:
        self._app = wrap_app(app, 0, "asgi")
        config = self._config = Config()
        config.bind = [bind]
        config.graceful_timeout = graceful_timeout
        config.accesslog = access_log
        config.errorlog = error_log
        config.keep_alive_timeout = keep_alive_timeout
        config.h11_max_incomplete_size = head_limit
        config.websocket_ping_interval = ping_interval
        self._context = WorkerContext(None)
        self._state: dict[str, Any] = {}

    @property
    def bind(self) -> str:
        """Where it listens, as configured."""
        return str(self._config.bind[0])

    def listeners(self) -> tuple[list[trio.SocketListener], str, int]:
        """Listening sockets, their printable address and the real port (OSError if the address
        cannot be bound)."""
        sockets = self._config.create_sockets().insecure_sockets
        listeners = []
        for sock in sockets:
            sock.listen(self._config.backlog)
            listeners.append(trio.SocketListener(trio.socket.from_stdlib_socket(sock)))
        bound = sockets[0].getsockname()
        return listeners, str(repr_socket_addr(sockets[0].family, bound)), int(bound[1])

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """The app's startup before the body, its shutdown after (as `hypercorn.trio.serve`)."""
        lifespan = Lifespan(self._app, self._config, self._state)
        async with trio.open_nursery() as nursery:
            await nursery.start(lifespan.handle_lifespan)
            await lifespan.wait_for_startup()
            yield
            await lifespan.wait_for_shutdown()
            nursery.cancel_scope.cancel()

    async def terminate(self) -> None:
        """Tell open connections the server is stopping (they finish their current request)."""
        await self._context.terminated.set()

    async def serve(
        self,
        stream: trio.abc.Stream,
        *,
        limits: ConnectionLimits,
        peer: str,
        state: dict[str, Any],
    ) -> None:
        """Serve one connection (`state` joins the ASGI scope's `state`) to its end."""
        connection = ConnectionState({**self._state, **state})
        server = GuardedTCPServer(
            self._app, self._config, self._context, connection, stream, limits=limits, peer=peer
        )
        await server.serve()

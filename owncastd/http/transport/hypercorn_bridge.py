"""Everything owncastd takes from hypercorn's internals, in this module and
hypercorn_connection.py: its `Config`, listening sockets, the ASGI lifespan, the worker context
and the trio `TCPServer` that serves one connection (:class:`HypercornBridge`, which the front
door drives). None of these are public API, so hypercorn is pinned to the minor version this
was written against (0.18, see pyproject.toml) and `tests/unit/http/test_hypercorn_bridge.py`
fails loudly when they change. Only `Config` is imported at startup: hypercorn's trio server
(h2 included, ~0.05-0.08 CPU-s) loads on a worker thread with the first connection hypercorn
serves or `warm_up` (issue 17).

Two things go wrong in hypercorn 0.17/0.18 under quart-trio, and `GuardedTCPServer`
(hypercorn_connection.py) fixes both:

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

import importlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import trio
from hypercorn.config import Config

from owncastd.http.transport.limits import ConnectionLimits

if TYPE_CHECKING:
    from hypercorn.trio.worker_context import WorkerContext
    from hypercorn.typing import ASGIFramework

    AsgiApp = ASGIFramework | Callable[..., Awaitable[None]]
else:
    AsgiApp = Callable[..., Awaitable[None]]

log = logging.getLogger(__name__)

# hypercorn's trio server (and h2, through its protocol and typing modules): ~0.05-0.08 CPU-s,
# imported on a worker thread when the first connection or `warm_up` needs it.
SERVER_MODULES = (
    "hypercorn.utils",
    "hypercorn.trio.lifespan",
    "hypercorn.trio.worker_context",
    "owncastd.http.transport.hypercorn_connection",
)


def _import_server() -> None:
    for name in SERVER_MODULES:
        importlib.import_module(name)


def printable_address(family: int, address: Any) -> str:
    """A bound address as hypercorn prints it (`repr_socket_addr`)."""
    if family == socket.AF_INET:
        return f"{address[0]}:{address[1]}"
    if family == socket.AF_INET6:
        return f"[{address[0]}]:{address[1]}"
    if family == socket.AF_UNIX:
        return f"unix:{address}"
    return f"{address}"


class HypercornBridge:
    """hypercorn as the front door uses it: one app, its lifespan, and one connection at a time.

    `bind` is hypercorn's bind string; the other arguments are the matching `Config` fields.
    hypercorn's server modules are imported, and the app's lifespan started, when the first
    connection arrives or :meth:`warm_up` is called (the daemon does right after `ready`).
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
        self._asgi = app
        self._app: Any = None  # hypercorn's wrapper of it, once loaded
        config = self._config = Config()
        config.bind = [bind]
        config.graceful_timeout = graceful_timeout
        config.accesslog = access_log
        config.errorlog = error_log
        config.keep_alive_timeout = keep_alive_timeout
        config.h11_max_incomplete_size = head_limit
        config.websocket_ping_interval = ping_interval
        self._context: WorkerContext | None = None
        self._state: dict[str, Any] = {}
        self._wanted = trio.Event()
        self._started = trio.Event()  # the app's lifespan startup has run
        self._stopping = trio.Event()
        self._stopped = trio.Event()

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
        return listeners, printable_address(sockets[0].family, bound), int(bound[1])

    def warm_up(self) -> None:
        """Load hypercorn's server and start the app's lifespan now, in the background."""
        self._wanted.set()

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """The app's lifespan around the body (as `hypercorn.trio.serve`), its startup once
        wanted (the first connection or `warm_up`), its shutdown after the body if started."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._run_lifespan)
            yield
            if self._wanted.is_set():
                self._stopping.set()
                await self._stopped.wait()
            nursery.cancel_scope.cancel()

    async def _run_lifespan(self) -> None:
        await self._wanted.wait()
        await trio.to_thread.run_sync(_import_server)
        from hypercorn.trio.lifespan import Lifespan
        from hypercorn.trio.worker_context import WorkerContext
        from hypercorn.utils import wrap_app

        self._app = wrap_app(self._asgi, 0, "asgi")
        self._context = WorkerContext(None)
        lifespan = Lifespan(self._app, self._config, self._state)
        try:
            async with trio.open_nursery() as nursery:
                await nursery.start(lifespan.handle_lifespan)
                await lifespan.wait_for_startup()
                self._started.set()
                await self._stopping.wait()
                await lifespan.wait_for_shutdown()
                nursery.cancel_scope.cancel()
        finally:
            self._stopped.set()

    async def terminate(self) -> None:
        """Tell open connections the server is stopping (they finish their current request)."""
        if self._context is not None:
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
        self._wanted.set()
        await self._started.wait()
        from hypercorn.typing import ConnectionState

        from owncastd.http.transport.hypercorn_connection import GuardedTCPServer

        connection = ConnectionState({**self._state, **state})
        server = GuardedTCPServer(
            self._app, self._config, self._context, connection, stream, limits=limits, peer=peer
        )
        await server.serve()

"""The web port: a small front door that hands `/ws` upgrades to the chat socket and every
other connection to hypercorn's trio connection handler.

Each new connection's request head is read first: a client gets HEAD_TIMEOUT (10 s; Owncast's
ReadHeaderTimeout is 4 s) to send all of it, and at most HEAD_LIMIT bytes. A websocket upgrade
of `/ws` goes to the chat handler, which writes frames to the socket itself (hypercorn's
per-frame path costs ~10× more CPU in fan-out, see bench/README.md); anything else is given
to `hypercorn.trio.tcp_server.TCPServer` with a stream that replays the bytes already read.
Lifespan (quart-trio's startup/shutdown) runs as in `hypercorn.trio.serve`. Websockets that
reach hypercorn (the `/ws` fallback in `chat_asgi.py`) get a ping every 54 s, and each
connection's state carries `LAST_RECEIVE_STATE`, a callable giving the trio time bytes last
arrived, so the fallback can tell a quiet client (whose pongs hypercorn swallows) from a dead
one. The hypercorn version range is pinned in pyproject.toml because `TCPServer`, `Lifespan`
and `WorkerContext` are internal; tests/component/test_http_front_door.py covers them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import trio
from hypercorn.config import Config
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ASGIFramework, ConnectionState
from hypercorn.utils import repr_socket_addr, wrap_app
from quart_trio import QuartTrio

from owncastd.errors import StartupError

log = logging.getLogger(__name__)

GRACEFUL_TIMEOUT = 3.0
HEAD_LIMIT = 64 * 1024
KEEP_ALIVE_TIMEOUT = 30.0
HEAD_TIMEOUT = 10.0
WEBSOCKET_PING_INTERVAL = 54.0
LAST_RECEIVE_STATE = "owncastd.last_receive"
CHAT_PATH = "/ws"
_UPGRADE = re.compile(rb"^upgrade:[ \t]*websocket[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)

WebSocketHandler = Callable[[trio.SocketStream, bytes], Awaitable[None]]


def bind_address(ip: str, port: int) -> str:
    """hypercorn's bind string (IPv6 addresses in brackets)."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def is_chat_upgrade(head: bytes) -> bool:
    """True when `head` is a `GET /ws…` request asking for a websocket upgrade."""
    line, _, headers = head.partition(b"\r\n")
    parts = line.split(b" ")
    if len(parts) != 3 or parts[0] != b"GET":
        return False
    target = parts[1].decode("latin-1")
    return urlsplit(target).path == CHAT_PATH and _UPGRADE.search(headers) is not None


class ReplayStream(trio.abc.HalfCloseableStream):
    """A socket stream whose first reads return bytes that were already read from it."""

    def __init__(self, stream: trio.SocketStream, head: bytes) -> None:
        self.transport = stream
        self.socket = stream.socket
        self._head = head
        self.last_receive = trio.current_time()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        """The replayed bytes first, then the socket."""
        if self._head:
            size = len(self._head) if max_bytes is None else max_bytes
            data, self._head = self._head[:size], self._head[size:]
            await trio.lowlevel.checkpoint()
            return data
        data = await self.transport.receive_some(max_bytes)
        if data:
            self.last_receive = trio.current_time()
        return data

    def last_receive_time(self) -> float:
        """The trio time bytes last arrived (or the connection was accepted)."""
        return self.last_receive

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        """Write to the socket."""
        await self.transport.send_all(data)

    async def wait_send_all_might_not_block(self) -> None:
        """As the socket."""
        await self.transport.wait_send_all_might_not_block()

    async def send_eof(self) -> None:
        """Half-close the socket."""
        await self.transport.send_eof()

    async def aclose(self) -> None:
        """Close the socket."""
        await self.transport.aclose()


async def read_head(stream: trio.SocketStream, limit: int = HEAD_LIMIT) -> bytes:
    """Read until the end of the request head (or `limit` bytes, or EOF)."""
    data = bytearray()
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = await stream.receive_some(limit - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class HttpServer:
    """Runs `app` on `ip:port` (port 0 picks a free one; the real port is reported).

    With a `websocket` handler, `GET /ws` upgrades on new connections go to it. `head_timeout`
    bounds the wait for a new connection's first request head; `ping_interval` is the ping
    period of websockets served by hypercorn (None: no pings).
    """

    def __init__(
        self,
        app: QuartTrio | ASGIFramework | Callable[..., Awaitable[None]],
        ip: str,
        port: int,
        *,
        access_log: bool = False,
        websocket: WebSocketHandler | None = None,
        head_timeout: float = HEAD_TIMEOUT,
        ping_interval: float | None = WEBSOCKET_PING_INTERVAL,
    ) -> None:
        self._app = wrap_app(app, 0, "asgi")
        self._websocket = websocket
        self._head_timeout = head_timeout
        self._config = Config()
        self._config.bind = [bind_address(ip, port)]
        self._config.graceful_timeout = GRACEFUL_TIMEOUT
        self._config.accesslog = logging.getLogger("owncastd.http.access") if access_log else None
        self._config.errorlog = logging.getLogger("owncastd.http.server")
        self._config.keep_alive_timeout = KEEP_ALIVE_TIMEOUT
        self._config.h11_max_incomplete_size = HEAD_LIMIT
        self._config.websocket_ping_interval = ping_interval

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled; `task_status.started(port)` once listening."""
        try:
            sockets = self._config.create_sockets()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise StartupError(
                f"cannot listen for HTTP on {self._config.bind[0]}: {reason}"
            ) from None
        state: dict[str, Any] = {}
        lifespan = Lifespan(self._app, self._config, state)
        context = WorkerContext(None)
        async with trio.open_nursery() as lifespan_nursery:
            await lifespan_nursery.start(lifespan.handle_lifespan)
            await lifespan.wait_for_startup()
            async with trio.open_nursery() as connections:
                listeners = []
                for sock in sockets.insecure_sockets:
                    sock.listen(self._config.backlog)
                    listeners.append(trio.SocketListener(trio.socket.from_stdlib_socket(sock)))
                bound = sockets.insecure_sockets[0].getsockname()
                log.info(
                    "http listening on http://%s",
                    repr_socket_addr(sockets.insecure_sockets[0].family, bound),
                )
                task_status.started(int(bound[1]))
                handler = partial(self._connection, context, state)
                try:
                    await trio.serve_listeners(handler, listeners, handler_nursery=connections)
                finally:
                    await context.terminated.set()
                    connections.cancel_scope.deadline = trio.current_time() + GRACEFUL_TIMEOUT
            await lifespan.wait_for_shutdown()
            lifespan_nursery.cancel_scope.cancel()

    async def _connection(
        self, context: WorkerContext, state: dict[str, Any], stream: trio.SocketStream
    ) -> None:
        try:
            with trio.move_on_after(self._head_timeout) as head_scope:
                head = await read_head(stream)
            if head_scope.cancelled_caught or not head:
                await stream.aclose()
                return
            if self._websocket is not None and is_chat_upgrade(head):
                try:
                    await self._websocket(stream, head)
                finally:
                    with trio.move_on_after(1, shield=True):
                        await stream.aclose()
                return
            replay = ReplayStream(stream, head)
            connection = ConnectionState({**state, LAST_RECEIVE_STATE: replay.last_receive_time})
            await TCPServer(self._app, self._config, context, connection, replay)  # type: ignore[arg-type]
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            with trio.move_on_after(1, shield=True):
                await stream.aclose()
        except Exception:
            log.exception("http connection failed")
            with trio.move_on_after(1, shield=True):
                await stream.aclose()

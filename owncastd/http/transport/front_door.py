"""The web port: a small front door that hands `/ws` upgrades to the chat socket and every
other connection to hypercorn.

Every connection is first counted against `ConnectionLimits` (limits.py): over the total or
per-IP cap it gets a short 503 and is closed. Accept survives running out of file descriptors
(accept.py). The request head is read next: a client gets `head_timeout` (10 s; Owncast's
ReadHeaderTimeout is 4 s) to send all of it, and at most `max_header_bytes`. A websocket upgrade
of `/ws` goes to the chat handler, which writes frames to the socket itself (hypercorn's
per-frame path costs ~10× more CPU in fan-out, see bench/README.md). With a lean path
(fast_path.py, `[web] fast_path`) the connection goes to it next: it answers the viewers' hot
requests itself and hands back the bytes of the first request it does not serve. Anything
else is given to hypercorn (hypercorn_bridge.py, with our keep-alive and body deadlines) over
a stream that replays the bytes already read and bounds each 64 KiB write by `write_timeout`.
Websockets that reach hypercorn (the `/ws` fallback, http/chat/asgi_socket.py) get a ping
every 54 s, and each connection's state carries `LAST_RECEIVE_STATE`, a callable giving the
trio time bytes last arrived, so the fallback can tell a quiet client (whose pongs hypercorn
swallows) from a dead one.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import trio

from owncastd.core.log_tally import LogTally
from owncastd.core.stop_budget import HTTP_GRACEFUL_TIMEOUT as GRACEFUL_TIMEOUT
from owncastd.errors import StartupError
from owncastd.http.context import WebContext
from owncastd.http.transport.accept import serve_listeners
from owncastd.http.transport.fast_path import FastPath
from owncastd.http.transport.hypercorn_bridge import AsgiApp, HypercornBridge
from owncastd.http.transport.limits import (
    HEAD_TIMEOUT,
    KEEP_ALIVE_TIMEOUT,
    REFUSAL,
    ConnectionCounter,
    ConnectionLimits,
)

if TYPE_CHECKING:
    from quart_trio import QuartTrio

log = logging.getLogger(__name__)

HEAD_LIMIT = 64 * 1024
WRITE_CHUNK = 64 * 1024
REFUSAL_LOG_SECONDS = 10.0
WEBSOCKET_PING_INTERVAL = 54.0
LAST_RECEIVE_STATE = "owncastd.last_receive"
CHAT_PATH = "/ws"
_UPGRADE = re.compile(rb"^upgrade:[ \t]*websocket[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)

WebSocketHandler = Callable[[trio.SocketStream, bytes], Awaitable[None]]
__all__ = ["HEAD_TIMEOUT", "KEEP_ALIVE_TIMEOUT", "HttpServer", "ReplayStream"]


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

    def __init__(
        self, stream: trio.SocketStream, head: bytes, write_timeout: float = math.inf
    ) -> None:
        self.transport = stream
        self.socket = stream.socket
        self._head = head
        self._write_timeout = write_timeout
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
        """Write to the socket; a reader too slow to take WRITE_CHUNK bytes within the write
        timeout gets the connection closed (BrokenResourceError)."""
        view = memoryview(data)
        for start in range(0, len(view), WRITE_CHUNK):
            with trio.move_on_after(self._write_timeout) as scope:
                await self.transport.send_all(view[start : start + WRITE_CHUNK])
            if scope.cancelled_caught:
                await self.transport.aclose()
                raise trio.BrokenResourceError("write timed out")

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

    With a `websocket` handler, `GET /ws` upgrades on new connections go to it. `limits` are
    the timeouts and connection caps (`head_timeout`, when given, replaces its head timeout);
    `ping_interval` is the ping period of websockets served by hypercorn (None: no pings).
    With `fast_path` (the app's context), the lean path serves the viewers' hot requests.
    """

    def __init__(
        self,
        app: QuartTrio | AsgiApp,
        ip: str,
        port: int,
        *,
        access_log: bool = False,
        websocket: WebSocketHandler | None = None,
        limits: ConnectionLimits | None = None,
        head_timeout: float | None = None,
        ping_interval: float | None = WEBSOCKET_PING_INTERVAL,
        fast_path: WebContext | None = None,
    ) -> None:
        limits = limits or ConnectionLimits()
        if head_timeout is not None:
            limits = replace(limits, head_timeout=head_timeout)
        self.limits = limits
        self.connections = ConnectionCounter(limits)
        self._websocket = websocket
        access = logging.getLogger("owncastd.http.access") if access_log else None
        self._fast = FastPath(fast_path, limits, access) if fast_path is not None else None
        self._refusals = LogTally(REFUSAL_LOG_SECONDS)
        self._hypercorn = HypercornBridge(
            app,
            bind_address(ip, port),
            access_log=access,
            error_log=log,
            keep_alive_timeout=limits.keep_alive_timeout,
            graceful_timeout=GRACEFUL_TIMEOUT,
            head_limit=limits.max_header_bytes,
            ping_interval=ping_interval,
        )

    def warm_up(self) -> None:
        """Load hypercorn's server and start the app now, in the background (else with the
        first connection that needs them)."""
        self._hypercorn.warm_up()

    def status_json(self) -> dict[str, object]:
        """The limits in force and the open connections (`/api/admin/daemon`'s `web`)."""
        limits = self.limits
        return {
            "fastPath": self._fast is not None,
            "openConnections": self.connections.total,
            "maxConnections": limits.max_connections,
            "maxConnectionsPerIp": limits.max_per_ip,
            "headerTimeout": limits.head_timeout,
            "keepAliveTimeout": limits.keep_alive_timeout,
            "writeTimeout": limits.write_timeout,
            "maxHeaderBytes": limits.max_header_bytes,
        }

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled; `task_status.started(port)` once listening."""
        hypercorn = self._hypercorn
        try:
            listeners, address, port = hypercorn.listeners()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise StartupError(f"cannot listen for HTTP on {hypercorn.bind}: {reason}") from None
        async with hypercorn.lifespan(), trio.open_nursery() as connections:
            log.info(
                "http listening on http://%s max_connections=%d max_per_ip=%d",
                address,
                self.limits.max_connections,
                self.limits.max_per_ip,
            )
            task_status.started(port)
            if self._fast is not None:
                connections.start_soon(self._fast.run)
            try:
                await serve_listeners(self._connection, listeners, handler_nursery=connections)
            finally:
                if self._fast is not None:
                    self._fast.idle.stop()
                await hypercorn.terminate()
                connections.cancel_scope.deadline = trio.current_time() + GRACEFUL_TIMEOUT

    async def _connection(self, stream: trio.SocketStream) -> None:
        try:
            peer = str(stream.socket.getpeername()[0])
        except OSError:  # already gone
            peer = ""
        if not self.connections.admit(peer):
            self._note_refusal(peer)
            await refuse(stream)
            return
        try:
            await self._serve(stream, peer)
        finally:
            self.connections.release(peer)

    def _note_refusal(self, peer: str) -> None:
        """Log refusals at most every REFUSAL_LOG_SECONDS, with how many there were."""
        count = self._refusals.note(trio.current_time())
        if count:
            log.warning(
                "http connections refused count=%d last_peer=%s open=%d from_peer=%d",
                count,
                peer,
                self.connections.total,
                self.connections.from_ip(peer),
            )

    async def _serve(self, stream: trio.SocketStream, peer: str) -> None:
        limits = self.limits
        try:
            with trio.move_on_after(limits.head_timeout) as head_scope:
                head = await read_head(stream, limits.max_header_bytes)
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
            if self._fast is not None:
                rest = await self._fast.serve(stream, head, peer)
                if rest is None:
                    await stream.aclose()
                    return
                head = rest
            replay = ReplayStream(stream, head, limits.write_timeout)
            state = {LAST_RECEIVE_STATE: replay.last_receive_time}
            await self._hypercorn.serve(replay, limits=limits, peer=peer, state=state)
        # except*: hypercorn's task group raises groups, often with a Cancelled beside the
        # error while the server stops; the Cancelled must go on, the error must not.
        except* (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            with trio.move_on_after(1, shield=True):
                await stream.aclose()
        except* Exception as failed:
            errors = "; ".join(repr(error) for error in failed.exceptions)
            log.warning("http connection failed peer=%s error=%.300s", peer, errors)
            log.debug("http connection failure", exc_info=failed)
            with trio.move_on_after(1, shield=True):
                await stream.aclose()


async def refuse(stream: trio.SocketStream) -> None:
    """Answer REFUSAL without reading the request and close: quickly, whatever the peer does
    (what it already sent is discarded so the close does not reset the answer away)."""
    with trio.move_on_after(0.5, shield=True):
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            await stream.send_all(REFUSAL)
            await stream.send_eof()
            _discard_pending(stream.socket.fileno())
        await stream.aclose()


def _discard_pending(fd: int, limit: int = 256 * 1024) -> None:
    """Read away (without waiting) what the peer already sent."""
    read = 0
    while read < limit:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        if not chunk:
            return
        read += len(chunk)

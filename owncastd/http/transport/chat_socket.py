"""The chat websocket on a raw trio stream: wsproto for the handshake and inbound frames, our
own framing for outbound text (reference §2.1).

Outbound is built for fan-out: each event's frame is encoded once (`Outgoing.wire`) and, when
the client has nothing queued, written straight to the socket without a task switch
(`os.write` on the non-blocking socket). Whatever the kernel does not take waits in a bounded
per-client queue that a writer task drains into one frame joined by "\\n"; a full queue or a
write that takes over 10 s disconnects that client only. Keep-alive is protocol-level ping
every 54 s, and a read deadline of 60 s. With a `per_ip` counter, an address with
`max_per_ip` chat sockets open gets `429 Too Many Requests` (TOO_MANY_BODY) before the upgrade.
"""

from __future__ import annotations

import contextlib
import logging
import os
from urllib.parse import parse_qs, urlsplit

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from owncastd.core.chat import wire
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.outbox import QUEUE_LIMIT, OutboxQueue
from owncastd.core.chat.pipeline import HARD_LIMIT_BYTES
from owncastd.core.chat.room import BANNED
from owncastd.core.chat.socket_room import SocketRoom
from owncastd.core.viewers import client_ip
from owncastd.http.transport.limits import ConnectionCounter

log = logging.getLogger(__name__)

PING_INTERVAL = 54.0
READ_TIMEOUT = 60.0
WRITE_TIMEOUT = 10.0
RECEIVE_BYTES = 4096
CLOSE_FLUSH_SECONDS = 2.0
TOO_BIG_CODE = 1009
TOO_MANY_STATUS = 429
TOO_MANY_BODY = b"too many chat connections from this address"


def text_frame(payload: bytes) -> bytes:
    """An unmasked, final websocket text frame (server → client)."""
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = b"\x81\x7e" + size.to_bytes(2, "big")
    else:
        header = b"\x81\x7f" + size.to_bytes(8, "big")
    return header + payload


def framed(event: wire.Outgoing) -> bytes:
    """The event's frame, built once and shared by every client."""
    frame = event.wire
    if frame is None:
        frame = event.wire = text_frame(event.payload)
    return frame


class ChatSocket:
    """One websocket connection; implements the room's `Outbox`.

    Thousands of these stay open, so each is lean (issue 17: ~24 KB per socket before): one
    task (the reader, which also pings a silent peer), a writer task only once something had
    to wait for the kernel, wsproto's frame `Connection` without the handshake's h11 state,
    and `__slots__`.
    """

    __slots__ = (
        "_conn", "_fd", "_nursery", "_out", "_pending", "_room", "_scope", "_stream",
        "_writer_started", "_writing", "client",
    )  # fmt: skip

    def __init__(self, stream: trio.SocketStream, conn: Connection) -> None:
        self._stream = stream
        self._conn = conn
        self._fd = stream.socket.fileno()
        self._out = OutboxQueue(QUEUE_LIMIT)
        self._pending = b""  # the rest of a frame the socket did not take at once
        self._writing = False
        self._writer_started = False
        self._nursery: trio.Nursery | None = None
        self._room: SocketRoom | None = None
        self._scope = trio.CancelScope()
        self.client: ChatClient | None = None

    # ---- Outbox ------------------------------------------------------------------------

    def push(self, event: wire.Outgoing) -> bool:
        """Send or queue an event without waiting; False when the queue is full."""
        if self._out.closing:
            return True
        if not self._out and not self._pending and not self._writing:
            self._write_now(framed(event))
            return True
        self._need_writer()
        return self._out.push(event)

    def close(self, *, flush: bool = True) -> None:
        """Close soon: after what is queued and a close frame (`flush`), or at once."""
        if not self._out.start_closing():
            if not flush:
                self._scope.cancel()
            return
        if not flush:
            self._scope.cancel()
            return
        if self._conn.state is ConnectionState.OPEN:
            self._out.put_control(self._conn.send(CloseConnection(code=1000)))
        self._out.put_control(b"")  # marker: the writer ends the connection here
        self._need_writer()
        self._scope.deadline = min(self._scope.deadline, trio.current_time() + CLOSE_FLUSH_SECONDS)

    def _control(self, data: bytes) -> None:
        if self._out.closing or not data:
            return
        if not self._out and not self._pending and not self._writing:
            self._write_now(data)
        else:
            self._out.put_control(data)
            self._need_writer()

    def _write_now(self, data: bytes) -> None:
        try:
            sent = os.write(self._fd, data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._out.start_closing()
            self._scope.cancel()  # the peer is gone; the reader's cleanup unregisters it
            return
        if sent < len(data):
            self._pending = data[sent:]
            self._out.wake()
            self._need_writer()

    def _need_writer(self) -> None:
        """Start the writer task (once): something waits to be sent."""
        if self._nursery is not None and not self._writer_started:
            self._writer_started = True
            self._nursery.start_soon(self._writer)

    # ---- tasks -------------------------------------------------------------------------

    async def run(self, room: SocketRoom, client: ChatClient) -> None:
        """Serve the connection until it closes, then unregister the client."""
        self.client = client
        self._room = room
        try:
            with self._scope:
                async with trio.open_nursery() as nursery:
                    self._nursery = nursery
                    if self._out or self._pending:  # queued before the nursery existed
                        self._need_writer()
                    flush = await self._reader(room, client)
                    self.close(flush=flush)
                    await self._linger()
        finally:
            self._nursery = None
            room.leave(client)

    async def _reader(self, room: SocketRoom, client: ChatClient) -> bool:
        """Read frames until the peer goes; True when a close frame should still be sent."""
        parts: list[str] = []
        size = 0
        while True:
            try:
                data = await self._receive()
            except trio.TooSlowError:
                log.info("chat client read timeout client=%d", client.id)
                return True
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return False
            if not data:
                return False
            try:
                self._conn.receive_data(data)
                events = list(self._conn.events())
            except (LocalProtocolError, RemoteProtocolError) as exc:
                log.warning("chat websocket protocol error client=%d error=%s", client.id, exc)
                return False
            for event in events:
                if isinstance(event, TextMessage | BytesMessage):
                    size += len(event.data.encode() if isinstance(event.data, str) else event.data)
                    if size > HARD_LIMIT_BYTES:
                        log.warning("chat frame over hard limit client=%d", client.id)
                        if self._conn.state is ConnectionState.OPEN:
                            self._out.put_control(self._conn.send(CloseConnection(TOO_BIG_CODE)))
                        return True
                    if isinstance(event, TextMessage):
                        parts.append(event.data)
                    if event.message_finished:
                        if isinstance(event, TextMessage):
                            await room.receive(client, "".join(parts), size)
                        parts, size = [], 0
                elif isinstance(event, Ping):
                    self._control(self._conn.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if self._conn.state is ConnectionState.REMOTE_CLOSING:
                        self._out.put_control(self._conn.send(event.response()))
                    elif self._conn.state is ConnectionState.OPEN:  # wsproto found an error
                        log.warning(
                            "chat websocket protocol error client=%d reason=%s",
                            client.id,
                            event.reason,
                        )
                        self._out.put_control(self._conn.send(CloseConnection(event.code)))
                    return True

    async def _receive(self) -> bytes:
        """The next bytes from the peer. After PING_INTERVAL of silence it is pinged; after
        READ_TIMEOUT of silence, TooSlowError. (No pinger task per client.)"""
        deadline = trio.current_time() + READ_TIMEOUT
        while True:
            with trio.move_on_at(min(deadline, trio.current_time() + PING_INTERVAL)):
                return await self._stream.receive_some(RECEIVE_BYTES)
            if trio.current_time() >= deadline:
                raise trio.TooSlowError
            self._ping()

    async def _writer(self) -> None:
        while True:
            await self._out.wait()
            self._writing = True
            try:
                while self._pending or self._out:
                    data = self._pending or self._next_chunk()
                    self._pending = b""
                    if not data:  # the close marker: half-close, the reader lingers
                        with contextlib.suppress(trio.BrokenResourceError, OSError):
                            await self._stream.send_eof()
                        return
                    with trio.fail_after(WRITE_TIMEOUT):
                        await self._stream.send_all(data)
            except trio.TooSlowError:
                if self.client is not None and self._room is not None:
                    self._room.drop(self.client, "write-timeout")
                self._scope.cancel()
                return
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                self._scope.cancel()
                return
            finally:
                self._writing = False

    async def _linger(self) -> None:
        """After our close frame, read and discard until the peer closes (bounded by the
        close deadline), so unread input does not turn our close into a reset."""
        while True:
            try:
                data = await self._stream.receive_some(RECEIVE_BYTES)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return
            if not data:
                return

    def _next_chunk(self) -> bytes:
        """Control bytes as they are, or every queued event joined into one text frame."""
        taken = self._out.take()
        if isinstance(taken, bytes):
            return taken
        if len(taken) == 1:
            return framed(taken[0])
        return text_frame(b"\n".join(event.payload for event in taken))

    def _ping(self) -> None:
        if self._conn.state is ConnectionState.OPEN:
            self._control(self._conn.send(Ping(b"")))


def _reject(conn: WSConnection, status: int, body: bytes) -> bytes:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    return conn.send(RejectConnection(status_code=status, headers=headers, has_body=True)) + (
        conn.send(RejectData(data=body, body_finished=True))
    )


async def serve_chat_socket(
    stream: trio.SocketStream,
    head: bytes,
    room: SocketRoom,
    per_ip: ConnectionCounter | None = None,
) -> None:
    """Handle a `/ws` upgrade whose request head (and anything after it) is in `head`;
    `per_ip` caps the chat sockets of one address (None: no cap)."""
    conn = WSConnection(ConnectionType.SERVER)
    try:
        conn.receive_data(head)
        request = next(iter(conn.events()), None)
    except RemoteProtocolError:
        request = None
    if not isinstance(request, Request):
        with trio.move_on_after(WRITE_TIMEOUT):
            await stream.send_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
        return
    headers = {name.lower(): value for name, value in request.extra_headers}
    peer = stream.socket.getpeername()[0]
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1") or None
    ip = client_ip(str(peer), forwarded, room.settings.current.web.trusted_proxies)
    refusal = room.precheck(ip)
    if refusal is not None:
        status = 403 if refusal == BANNED else 200
        body = b"" if refusal == BANNED else refusal.encode()
        log.info("chat connection refused ip=%s reason=%s", ip, refusal)
        with trio.move_on_after(WRITE_TIMEOUT):
            await stream.send_all(_reject(conn, status, body))
        return
    if per_ip is not None and not per_ip.admit(ip):
        log.info("chat connection refused ip=%s reason=too-many-from-ip", ip)
        with trio.move_on_after(WRITE_TIMEOUT):
            await stream.send_all(_reject(conn, TOO_MANY_STATUS, TOO_MANY_BODY))
        return
    try:
        joined = await _accept(stream, conn, request, headers, room, ip)
        # The handshake's state (h11, the request, its headers) is not needed while the
        # connection lives on: only wsproto's frame layer is (see ChatSocket).
        del conn, request, headers
        if joined is not None:
            await joined[0].run(room, joined[1])
    finally:
        if per_ip is not None:
            per_ip.release(ip)


async def _accept(
    stream: trio.SocketStream,
    conn: WSConnection,
    request: Request,
    headers: dict[bytes, bytes],
    room: SocketRoom,
    ip: str,
) -> tuple[ChatSocket, ChatClient] | None:
    """Upgrade and authenticate: the joined client and its socket, or None (answered)."""
    tokens = parse_qs(urlsplit(request.target).query).get("accessToken", [])
    token = tokens[0] if tokens else ""
    with trio.move_on_after(WRITE_TIMEOUT) as accept_scope:
        await stream.send_all(conn.send(AcceptConnection()))
    if accept_scope.cancelled_caught:
        return None
    user = await room.authenticate(token) if token else None
    if user is None or user.disabled:
        greeting = b""
        if token:
            greeting = framed(
                wire.NEEDS_REGISTRATION if user is None else wire.USER_DISABLED_ON_CONNECT
            )
        with trio.move_on_after(WRITE_TIMEOUT):
            await stream.send_all(greeting + conn.send(CloseConnection(code=1000)))
        return None
    assert conn.connection is not None  # accepted: wsproto's frame layer from here on
    socket = ChatSocket(stream, conn.connection)  # the handshake's h11 state can go
    user_agent = headers.get(b"user-agent", b"").decode("utf-8", "replace")[:512]
    return socket, room.join(user, socket, ip, user_agent)

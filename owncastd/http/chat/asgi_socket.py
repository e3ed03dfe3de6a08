"""The chat websocket over ASGI: a fallback for `/ws` upgrades the front door cannot see.

The front door (`server.py`) only inspects the first request of each connection, so an upgrade
sent on a reused keep-alive connection (some reverse proxies pool upstream connections) reaches
the ASGI app. `ChatAsgiFallback` answers those with the same room and rules, through hypercorn's
per-frame websocket path (~12× the CPU per delivery of the front door's direct writes, see
bench/README.md): correct, just not the fast path. Refusals before the upgrade are the main
path's: plain-text `CHAT_DISABLED` / `ERROR_MAX_CONNECTIONS_EXCEEDED` with status 200, or 403 for
a banned IP; with a `per_ip` counter (shared with the main path), `429` when the address
already has `max_per_ip` chat sockets. Keep-alive: hypercorn pings every 54 s and swallows the
pongs, so the 60 s read deadline counts any bytes the connection received (the front door's
`LAST_RECEIVE_STATE`), not only messages. Each task handles its own deadline: no timeout
escapes as an exception group.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import trio

from owncastd.core.chat import wire
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.outbox import QUEUE_LIMIT, OutboxQueue
from owncastd.core.chat.pipeline import HARD_LIMIT_BYTES
from owncastd.core.chat.room import BANNED
from owncastd.core.chat.socket_room import SocketRoom
from owncastd.core.viewers import client_ip
from owncastd.http.transport.chat_socket import (
    READ_TIMEOUT,
    TOO_MANY_BODY,
    TOO_MANY_STATUS,
    WRITE_TIMEOUT,
)
from owncastd.http.transport.front_door import LAST_RECEIVE_STATE
from owncastd.http.transport.limits import ConnectionCounter

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


class AsgiOutbox:
    """The room's Outbox over ASGI `websocket.send`: a bounded queue and one writer task."""

    def __init__(self, send: Send, scope: trio.CancelScope) -> None:
        self._send = send
        self._scope = scope
        self._out = OutboxQueue(QUEUE_LIMIT)

    def push(self, event: wire.Outgoing) -> bool:
        """Queue without waiting; False when full."""
        return self._out.push(event)

    def close(self, *, flush: bool = True) -> None:
        """Close after the queue drains (`flush`), or now."""
        self._out.start_closing()
        if not flush:
            self._scope.cancel()

    async def writer(self, room: SocketRoom, client: ChatClient) -> None:
        """Send queued events, joined by "\\n" in one frame, until closed; a send that takes
        over WRITE_TIMEOUT drops the client."""
        while True:
            await self._out.wait()
            while self._out:
                events = self._out.take()
                assert isinstance(events, list)  # this transport queues no control bytes
                text = b"\n".join(e.payload for e in events).decode()
                if not await self._send_within({"type": "websocket.send", "text": text}):
                    room.drop(client, "write-timeout")
                    self._scope.cancel()
                    return
            if self._out.closing:
                await self._send_within({"type": "websocket.close", "code": 1000})
                self._scope.cancel()
                return

    async def _send_within(self, message: MutableMapping[str, Any]) -> bool:
        with trio.move_on_after(WRITE_TIMEOUT) as scope:
            await self._send(message)
        return not scope.cancelled_caught


class ChatAsgiFallback:
    """Wraps the web app: `/ws` websockets go to the chat room, everything else to `app`.

    `read_timeout`: a connection that receives nothing (not even a pong) for this long is
    closed. `per_ip`: caps the chat sockets of one address (None: no cap).
    """

    def __init__(
        self,
        app: ASGIApp,
        room: SocketRoom,
        *,
        read_timeout: float = READ_TIMEOUT,
        per_ip: ConnectionCounter | None = None,
    ) -> None:
        self.app = app
        self.room = room
        self.read_timeout = read_timeout
        self.per_ip = per_ip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope.get("path") == "/ws":
            await self._chat(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _chat(self, scope: Scope, receive: Receive, send: Send) -> None:
        room = self.room
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        peer = (scope.get("client") or ("", 0))[0]
        ip = client_ip(
            peer, headers.get("x-forwarded-for"), room.settings.current.web.trusted_proxies
        )
        if (await receive())["type"] != "websocket.connect":
            return
        refusal = room.precheck(ip)
        if refusal is not None:
            log.info("chat connection refused ip=%s reason=%s", ip, refusal)
            await _refuse(scope, send, refusal)
            return
        if self.per_ip is not None and not self.per_ip.admit(ip):
            log.info("chat connection refused ip=%s reason=too-many-from-ip", ip)
            await _answer(scope, send, TOO_MANY_STATUS, TOO_MANY_BODY)
            return
        try:
            await self._serve(scope, send, receive, headers, ip)
        finally:
            if self.per_ip is not None:
                self.per_ip.release(ip)

    async def _serve(
        self, scope: Scope, send: Send, receive: Receive, headers: dict[str, str], ip: str
    ) -> None:
        room = self.room
        await send({"type": "websocket.accept"})
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("accessToken", [""])[0]
        user = await room.authenticate(token) if token else None
        if user is None or user.disabled:
            if token:
                greeting = (
                    wire.NEEDS_REGISTRATION if user is None else wire.USER_DISABLED_ON_CONNECT
                )
                await send({"type": "websocket.send", "text": greeting.payload.decode()})
            await send({"type": "websocket.close", "code": 1000})
            return
        connection_received = (scope.get("state") or {}).get(LAST_RECEIVE_STATE)
        with trio.CancelScope() as cancel:
            outbox = AsgiOutbox(send, cancel)
            client = room.join(user, outbox, ip, headers.get("user-agent", "")[:512])
            received = _Activity(connection_received)
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(outbox.writer, room, client)
                    nursery.start_soon(self._watchdog, received, outbox, client)
                    await _read(receive, received, room, client, outbox)
                    nursery.cancel_scope.cancel()
            finally:
                room.leave(client)

    async def _watchdog(self, received: _Activity, outbox: AsgiOutbox, client: ChatClient) -> None:
        """The read deadline: close (as the main path does) when nothing arrived for too long."""
        while True:
            remaining = received.last() + self.read_timeout - trio.current_time()
            if remaining <= 0:
                log.info("chat client read timeout client=%d", client.id)
                outbox.close(flush=True)
                return
            await trio.sleep(remaining)


class _Activity:
    """When the connection last received anything: a message, or any bytes (pongs included)
    when the front door tells us."""

    def __init__(self, connection_received: Callable[[], float] | None) -> None:
        self._connection_received = connection_received
        self.message = trio.current_time()

    def last(self) -> float:
        if self._connection_received is None:
            return self.message
        return max(self.message, self._connection_received())


async def _read(
    receive: Receive, received: _Activity, room: SocketRoom, client: ChatClient, outbox: AsgiOutbox
) -> None:
    """Hand inbound text frames to the room until the client goes (the watchdog bounds it)."""
    while True:
        message = await receive()
        received.message = trio.current_time()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            continue  # binary frames are ignored
        size = len(text.encode())
        if size > HARD_LIMIT_BYTES:
            outbox.close(flush=False)
            return
        await room.receive(client, text, size)


async def _refuse(scope: Scope, send: Send, refusal: str) -> None:
    """The main path's answer without the upgrade: 403 (banned) or 200 with the reason."""
    status, body = (403, b"") if refusal == BANNED else (200, refusal.encode())
    await _answer(scope, send, status, body)


async def _answer(scope: Scope, send: Send, status: int, body: bytes) -> None:
    """A plain HTTP answer instead of the upgrade (a 1008 close where the server cannot)."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})  # the server answers 403
        return
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})

"""The chat websocket over ASGI: a fallback for `/ws` upgrades the front door cannot see.

The front door (`server.py`) only inspects the first request of each connection, so an upgrade
sent on a reused keep-alive connection (some reverse proxies pool upstream connections) reaches
the ASGI app. `ChatAsgiFallback` answers those with the same room and rules, through hypercorn's
per-frame websocket path (~12× the CPU per delivery of the front door's direct writes, see
bench/README.md): correct, just not the fast path. There are no protocol pings here (ASGI has
none); the 60 s read deadline still applies.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import trio

from owncastd.core.chat import wire
from owncastd.core.chat.pipeline import HARD_LIMIT_BYTES
from owncastd.core.chat.room import ChatRoom
from owncastd.core.viewers import client_ip
from owncastd.http.chat_socket import QUEUE_LIMIT, READ_TIMEOUT, WRITE_TIMEOUT

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
        self._queue: deque[wire.Outgoing] = deque()
        self._wake = trio.Event()
        self._closing = False

    def push(self, event: wire.Outgoing) -> bool:
        """Queue without waiting; False when full."""
        if self._closing:
            return True
        if len(self._queue) >= QUEUE_LIMIT:
            return False
        self._queue.append(event)
        self._wake.set()
        return True

    def close(self, *, flush: bool = True) -> None:
        """Close after the queue drains (`flush`), or now."""
        self._closing = True
        if flush:
            self._wake.set()
        else:
            self._scope.cancel()

    async def writer(self) -> None:
        """Send queued events, joined by "\\n" in one frame, until closed."""
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            while self._queue:
                payloads = [e.payload for e in self._queue]
                self._queue.clear()
                with trio.fail_after(WRITE_TIMEOUT):
                    await self._send(
                        {"type": "websocket.send", "text": b"\n".join(payloads).decode()}
                    )
            if self._closing:
                await self._send({"type": "websocket.close", "code": 1000})
                self._scope.cancel()
                return


class ChatAsgiFallback:
    """Wraps the web app: `/ws` websockets go to the chat room, everything else to `app`."""

    def __init__(self, app: ASGIApp, room: ChatRoom) -> None:
        self.app = app
        self.room = room

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope.get("path") == "/ws":
            await self._chat(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _chat(self, scope: Scope, receive: Receive, send: Send) -> None:
        room = self.room
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        peer = (scope.get("client") or ("", 0))[0]
        ip = client_ip(peer, headers.get("x-forwarded-for"))
        if (await receive())["type"] != "websocket.connect":
            return
        if room.precheck(ip) is not None:
            await send({"type": "websocket.close", "code": 1008})  # hypercorn answers 403
            return
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
        with trio.CancelScope() as cancel:
            outbox = AsgiOutbox(send, cancel)
            client = room.join(user, outbox, ip, headers.get("user-agent", "")[:512])
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(outbox.writer)
                    while True:
                        with trio.fail_after(READ_TIMEOUT):
                            message = await receive()
                        if message["type"] == "websocket.disconnect":
                            break
                        text = message.get("text")
                        if text is None:
                            continue  # binary frames are ignored
                        size = len(text.encode())
                        if size > HARD_LIMIT_BYTES:
                            outbox.close(flush=False)
                            break
                        await room.receive(client, text, size)
                    nursery.cancel_scope.cancel()
            except trio.TooSlowError:
                log.info("chat client timed out client=%d", client.id)
            finally:
                room.leave(client)

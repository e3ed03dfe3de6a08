"""A small real websocket client for chat tests (trio + wsproto), speaking Owncast's framing:
server frames may hold several JSON events joined by "\\n"."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)


@dataclass
class Refused:
    """The server answered the upgrade with a plain HTTP response."""

    status: int
    body: bytes


class ClosedError(Exception):
    """The server closed the websocket (`code` from its close frame, or None on EOF)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"websocket closed code={code}")
        self.code = code


class ChatWs:
    """One connection to `/ws`."""

    def __init__(self, stream: trio.SocketStream, conn: WSConnection) -> None:
        self.stream = stream
        self.conn = conn
        self.events: deque[dict[str, Any]] = deque()
        self.frames: list[str] = []
        self.pings = 0
        self.close_code: int | None = None
        self.closed = False
        self._partial: list[str] = []
        self.send_broken = False

    @classmethod
    async def connect(
        cls,
        port: int,
        token: str | None,
        *,
        headers: list[tuple[str, str]] | None = None,
        host: str = "127.0.0.1",
    ) -> ChatWs | Refused:
        """Open `/ws?accessToken=token`; a plain HTTP answer comes back as `Refused`."""
        stream = await trio.open_tcp_stream(host, port)
        return await cls.upgrade(stream, f"{host}:{port}", token, headers=headers)

    @classmethod
    async def upgrade(
        cls,
        stream: trio.SocketStream,
        host: str,
        token: str | None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> ChatWs | Refused:
        """Ask for the `/ws` upgrade on an open connection (new, or a reused keep-alive one)."""
        conn = WSConnection(ConnectionType.CLIENT)
        target = "/ws" if token is None else f"/ws?accessToken={token}"
        extra = [(k.encode(), v.encode()) for k, v in (headers or [])]
        await stream.send_all(conn.send(Request(host=host, target=target, extra_headers=extra)))
        refused: Refused | None = None
        with trio.fail_after(5):
            while True:
                data = await stream.receive_some(65536)
                if not data:
                    await stream.aclose()
                    return refused or Refused(0, b"")
                conn.receive_data(data)
                for event in conn.events():
                    if isinstance(event, AcceptConnection):
                        client = cls(stream, conn)
                        client._absorb(list(conn.events()))
                        return client
                    if isinstance(event, RejectConnection):
                        refused = Refused(event.status_code, b"")
                        if not event.has_body:
                            await stream.aclose()
                            return refused
                    if isinstance(event, RejectData) and refused is not None:
                        refused.body += event.data
                        if event.body_finished:
                            await stream.aclose()
                            return refused

    async def send_json(self, payload: Any) -> None:
        """Send one JSON text frame."""
        await self.send_text(json.dumps(payload))

    async def send_text(self, text: str) -> None:
        """Send one text frame (a server that closes mid-frame is not an error here)."""
        try:
            await self.stream.send_all(self.conn.send(Message(data=text)))
        except trio.BrokenResourceError:
            self.send_broken = True

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        await self.stream.send_all(self.conn.send(Message(data=data)))

    async def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (already framed)."""
        await self.stream.send_all(data)

    def _absorb(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, TextMessage):
                self._partial.append(event.data)
                if not event.message_finished:
                    continue
                frame = "".join(self._partial)
                self._partial = []
                self.frames.append(frame)
                for line in frame.split("\n"):
                    if line.strip():
                        self.events.append(json.loads(line))
            elif isinstance(event, Ping):
                self.pings += 1
            elif isinstance(event, CloseConnection):
                self.close_code = event.code
                self.closed = True
            elif isinstance(event, BytesMessage):
                raise AssertionError("the server sent a binary frame")

    async def _read_more(self) -> None:
        if self.closed:
            raise ClosedError(self.close_code)
        try:
            data = await self.stream.receive_some(65536)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            data = b""
        if not data:
            self.closed = True
            raise ClosedError(self.close_code)
        self.conn.receive_data(data)
        events = list(self.conn.events())
        for event in events:
            if isinstance(event, Ping) and self.conn.state is ConnectionState.OPEN:
                await self.stream.send_all(self.conn.send(event.response()))
        self._absorb(events)

    async def next_event(self, kind: str | None = None, timeout: float = 5) -> dict[str, Any]:  # noqa: ASYNC109
        """The next event (of type `kind`, skipping others)."""
        with trio.fail_after(timeout):
            while True:
                while self.events:
                    event = self.events.popleft()
                    if kind is None or event.get("type") == kind:
                        return event
                await self._read_more()

    async def no_event(self, kind: str | None = None, wait: float = 0.5) -> None:
        """Assert that no event (of type `kind`) arrives within `wait` seconds."""
        with trio.move_on_after(wait):
            event = await self.next_event(kind, timeout=wait + 1)
            raise AssertionError(f"unexpected event {event}")

    async def wait_closed(self, timeout: float = 5) -> int | None:  # noqa: ASYNC109
        """Read until the server closes; returns the close code (None for a bare EOF)."""
        with trio.fail_after(timeout):
            while True:
                try:
                    await self._read_more()
                except ClosedError as closed:
                    return closed.code

    async def aclose(self) -> None:
        """Close politely (best effort)."""
        try:
            if not self.closed:
                await self.stream.send_all(self.conn.send(CloseConnection(code=1000)))
        except Exception:
            pass
        await self.stream.aclose()

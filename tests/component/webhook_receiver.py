"""A real webhook receiver on loopback (trio + h11) that records what it is sent.

Behaviour per request comes from a script: a list of statuses answered in turn (the last one
repeats), or `blackhole=True` to accept connections, read the request and never answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import h11
import trio

from tests.loopback_http import Answer, serve_h11


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # trio.current_time() when the whole body had arrived

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Listens on 127.0.0.1; `url` is where to point a webhook."""

    statuses: list[int] = field(default_factory=lambda: [200])
    blackhole: bool = False
    reply_body: bytes = b"ok"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._send, self._receive = trio.open_memory_channel[Received](1000)

    @property
    def url(self) -> str:
        """The hook URL (with a path and query, like real receivers)."""
        return f"http://127.0.0.1:{self.port}/hooks/owncast?key=s3cret"

    async def start(self, nursery: trio.Nursery) -> WebhookReceiver:
        """Start listening (port 0) in `nursery`."""
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        self.port = listeners[0].socket.getsockname()[1]
        nursery.start_soon(trio.serve_listeners, self._serve, listeners)
        return self

    async def next(self, timeout: float = 10) -> Received:  # noqa: ASYNC109
        """The next request (fails after `timeout` seconds)."""
        with trio.fail_after(timeout):
            return await self._receive.receive()

    async def nothing(self, wait: float) -> None:
        """Assert that no request arrives within `wait` seconds."""
        with trio.move_on_after(wait):
            got = await self._receive.receive()
            raise AssertionError(f"unexpected webhook request {got.body[:200]!r}")

    def _status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    async def _serve(self, stream: trio.SocketStream) -> None:
        self.connections += 1
        await serve_h11(stream, self._answer)

    async def _answer(self, request: h11.Request, body: bytes) -> Answer:
        got = Received(
            request.method.decode(),
            request.target.decode(),
            {k.decode().lower(): v.decode() for k, v in request.headers},
            body,
            trio.current_time(),
        )
        self.received.append(got)
        self._send.send_nowait(got)
        if self.blackhole:
            await trio.sleep_forever()
        status = self._status()
        headers = [("Content-Type", "text/plain")]
        if 300 <= status < 400:
            headers.append(("Location", "/elsewhere"))
        return status, headers, self.reply_body

"""Loopback servers for the lean outbound client's tests: a raw TCP (or TLS) server that runs a
handler per connection and counts the connections it accepted."""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

import h11
import trio

from tests.loopback_http import Answer, serve_h11

Handler = Callable[[trio.abc.Stream, int], Awaitable[None]]


@dataclass
class Server:
    """Where a test server listens and how many connections it accepted."""

    port: int = 0
    accepted: int = 0
    closed: trio.Event = field(default_factory=trio.Event)  # set when a handler returns

    def url(self, path: str = "/", scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


async def start_server(
    nursery: trio.Nursery, handler: Handler, tls: ssl.SSLContext | None = None
) -> Server:
    """Serve `handler(stream, n)` (n: the connection's number, from 1) on 127.0.0.1:0."""
    server = Server()

    async def on_connection(stream: trio.abc.Stream) -> None:
        server.accepted += 1
        try:
            await handler(stream, server.accepted)
        finally:
            server.closed.set()
            server.closed = trio.Event()

    if tls is None:
        serve = partial(trio.serve_tcp, on_connection, 0, host="127.0.0.1")
        listeners = await nursery.start(serve)
        server.port = listeners[0].socket.getsockname()[1]
    else:
        serve = partial(trio.serve_ssl_over_tcp, on_connection, 0, tls, host="127.0.0.1")
        listeners = await nursery.start(serve)
        server.port = listeners[0].transport_listener.socket.getsockname()[1]
    return server


def echo_answers(extra: list[tuple[str, str]] | None = None) -> Handler:
    """A keep-alive h11 server answering 200 with ``<method> <target> <body>``."""

    async def answer(request: h11.Request, body: bytes) -> Answer:
        text = request.method + b" " + request.target + b" " + body
        return 200, list(extra or []), text

    async def handler(stream: trio.abc.Stream, _: int) -> None:
        await serve_h11(stream, answer)  # type: ignore[arg-type]

    return handler


async def read_request(stream: trio.abc.Stream) -> bytes:
    """Bytes up to the end of one request's head (and its Content-Length body, if small)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await stream.receive_some(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            size = int(line.split(b":", 1)[1])
            while len(rest) < size:
                chunk = await stream.receive_some(65536)
                if not chunk:
                    break
                rest += chunk
    return head + b"\r\n\r\n" + rest

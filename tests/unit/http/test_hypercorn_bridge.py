"""hypercorn's internals that http/transport/hypercorn_bridge.py relies on are still there.

None of them is public API. If a hypercorn release moves or changes one, these fail with a
message naming what changed, instead of the bridge quietly losing a deadline (its `getattr`
look-ups of the protocol would then just find nothing).
"""

from __future__ import annotations

import inspect
import socket
from importlib.metadata import version

import h11
import trio
from hypercorn.config import Config
from hypercorn.events import RawData, Updated
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext

from owncastd.http.transport.hypercorn_bridge import HypercornBridge
from owncastd.http.transport.hypercorn_connection import GuardedTCPServer
from owncastd.http.transport.limits import ConnectionLimits


def test_the_pinned_minor_version_is_installed() -> None:
    assert version("hypercorn").startswith("0.18."), (
        "hypercorn_bridge.py was written against hypercorn 0.18: check its internals, then "
        "move the pin in pyproject.toml and this test together"
    )


def test_the_internal_signatures_are_the_ones_the_bridge_calls() -> None:
    assert list(inspect.signature(TCPServer.__init__).parameters) == [
        "self", "app", "config", "context", "state", "stream",
    ]  # fmt: skip
    for name in ("run", "protocol_send", "_initiate_server_close", "_close"):
        assert inspect.iscoroutinefunction(getattr(TCPServer, name)), f"TCPServer.{name}"
    assert list(inspect.signature(Lifespan.__init__).parameters) == [
        "self", "app", "config", "state",
    ]  # fmt: skip
    for name in ("handle_lifespan", "wait_for_startup", "wait_for_shutdown"):
        assert inspect.iscoroutinefunction(getattr(Lifespan, name)), f"Lifespan.{name}"
    assert hasattr(WorkerContext(None), "terminated")
    config = Config()
    for name in ("bind", "keep_alive_timeout", "graceful_timeout", "h11_max_incomplete_size",
                 "websocket_ping_interval", "backlog", "accesslog", "errorlog"):  # fmt: skip
        assert hasattr(config, name), f"Config.{name}"
    assert callable(config.create_sockets)
    assert "idle" in inspect.signature(Updated).parameters
    assert "data" in inspect.signature(RawData).parameters


async def test_a_served_connection_exposes_the_h11_state_the_deadlines_read() -> None:
    """Over a real socket: while a request's body is arriving the guarded server sees h11's
    SEND_BODY through hypercorn's protocol objects, and the app answers once it has come."""
    seen: list[tuple[bool, bool]] = []
    servers: list[GuardedTCPServer] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    original_init = GuardedTCPServer.__init__

    def recording_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        servers.append(self)

    bridge = HypercornBridge(
        app,
        "127.0.0.1:0",
        access_log=None,
        error_log=__import__("logging").getLogger("test"),
        keep_alive_timeout=5,
        graceful_timeout=1,
        head_limit=65536,
        ping_interval=None,
    )
    GuardedTCPServer.__init__ = recording_init  # type: ignore[method-assign]
    try:
        left, right = socket.socketpair()
        client = trio.SocketStream(trio.socket.from_stdlib_socket(left))
        server_side = trio.SocketStream(trio.socket.from_stdlib_socket(right))
        async with bridge.lifespan(), trio.open_nursery() as nursery:
            nursery.start_soon(
                lambda: bridge.serve(server_side, limits=ConnectionLimits(), peer="x", state={})
            )
            await client.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
            with trio.fail_after(5):
                while not (servers and servers[0].receiving_body()):  # noqa: ASYNC110
                    await trio.sleep(0.01)  # hypercorn's state has no event to wait on
            server = servers[0]
            seen.append((server.speaks_http1(), server.receiving_body()))
            await client.send_all(b"cd")
            answer = b""
            with trio.fail_after(5):
                while not answer.endswith(b"abcd\r\n0\r\n\r\n"):  # chunked
                    answer += await client.receive_some()
            seen.append((server.speaks_http1(), server.receiving_body()))
            await client.aclose()
            nursery.cancel_scope.cancel()
    finally:
        GuardedTCPServer.__init__ = original_init  # type: ignore[method-assign]
    assert answer.startswith(b"HTTP/1.1 200")
    assert seen == [(True, True), (True, False)]
    protocol = servers[0].protocol.protocol
    assert isinstance(protocol, H11Protocol)
    assert isinstance(protocol.connection, h11.Connection)

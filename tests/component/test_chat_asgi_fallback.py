"""The `/ws` ASGI fallback (an upgrade on a reused keep-alive connection) with real clients:
quiet clients stay (hypercorn pings, their pongs count as traffic), dead ones are closed at the
read deadline without an exception-group traceback, and refusals match the main path."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.component.chat_fixtures import ChatServer, start_chat_server
from tests.component.http_fixtures import read_http_response

READ_TIMEOUT = 0.6
PING_INTERVAL = 0.2


async def upgrade_on_keep_alive(
    chat: ChatServer, token: str, headers: list[tuple[str, str]] | None = None
) -> ChatWs | Refused:
    """GET /api/status, then the `/ws` upgrade on the same connection (the front door only
    inspects a connection's first request, so this takes the ASGI fallback)."""
    stream = await trio.open_tcp_stream("127.0.0.1", chat.port)
    await stream.send_all(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 200")
    return await ChatWs.upgrade(stream, "x", token, headers=headers)


async def _fast_chat(nursery: trio.Nursery, tmp_path: Path, **options: object) -> ChatServer:
    return await start_chat_server(
        nursery,
        tmp_path,
        fallback_read_timeout=READ_TIMEOUT,
        ping_interval=PING_INTERVAL,
        **options,  # type: ignore[arg-type]
    )


async def _until(condition: Callable[[], object]) -> None:
    with trio.fail_after(5):
        while not condition():  # noqa: ASYNC110 - the room has no join/leave event to await
            await trio.sleep(0.01)


def _server_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_quiet_client_is_pinged_and_stays(
    nursery: trio.Nursery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await _fast_chat(nursery, tmp_path)
    _, bob = await chat.join("bob")
    alice = await chat.register("alice")
    ws = await upgrade_on_keep_alive(chat, alice["accessToken"])
    assert isinstance(ws, ChatWs)
    assert (await ws.next_event())["type"] == "CONNECTED_USER_INFO"
    # Idle (but answering pings, as browsers do) for four read deadlines.
    await ws.no_event(wait=4 * READ_TIMEOUT)
    assert not ws.closed and ws.pings >= 4
    await ws.send_json({"type": "CHAT", "body": "still here"})
    assert (await ws.next_event("CHAT"))["body"] == "<p>still here</p>"
    assert (await bob.next_event("CHAT"))["body"] == "<p>still here</p>"
    assert _server_errors(caplog) == []


async def test_a_client_that_never_answers_is_closed_at_the_read_deadline(
    nursery: trio.Nursery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await _fast_chat(nursery, tmp_path)
    alice = await chat.register("alice")
    ws = await upgrade_on_keep_alive(chat, alice["accessToken"])
    assert isinstance(ws, ChatWs)
    await _until(chat.room.clients)
    start = trio.current_time()
    await _until(lambda: not chat.room.clients())  # not reading: no pongs go back
    assert trio.current_time() - start >= READ_TIMEOUT * 0.9
    assert await ws.wait_closed() == 1000
    assert _server_errors(caplog) == []


async def test_without_pings_a_silent_client_times_out_cleanly(
    nursery: trio.Nursery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await start_chat_server(
        nursery, tmp_path, fallback_read_timeout=READ_TIMEOUT, ping_interval=None
    )
    alice = await chat.register("alice")
    ws = await upgrade_on_keep_alive(chat, alice["accessToken"])
    assert isinstance(ws, ChatWs)
    assert await ws.wait_closed() == 1000
    assert ws.pings == 0
    await _until(lambda: not chat.room.clients())
    assert _server_errors(caplog) == []


async def test_refusals_match_the_main_path(
    nursery: trio.Nursery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await _fast_chat(nursery, tmp_path / "one")
    alice = await chat.register("alice")
    chat.configure("chat", disabled=True)
    assert await upgrade_on_keep_alive(chat, alice["accessToken"]) == Refused(200, b"CHAT_DISABLED")
    chat.configure("chat", disabled=False)
    await chat.room.moderation.ban_ip("203.0.113.77", "test")
    banned = await upgrade_on_keep_alive(
        chat, alice["accessToken"], headers=[("X-Forwarded-For", "203.0.113.77")]
    )
    assert isinstance(banned, Refused) and banned.status == 403
    neighbour = await upgrade_on_keep_alive(  # the same user from an address that is not banned
        chat, alice["accessToken"], headers=[("X-Forwarded-For", "203.0.113.78")]
    )
    assert isinstance(neighbour, ChatWs), neighbour
    assert (await neighbour.next_event())["type"] == "CONNECTED_USER_INFO"
    small = await _fast_chat(nursery, tmp_path / "small", max_clients=1)
    bob = await small.register("bob")
    first = await small.connect(bob["accessToken"])
    await first.next_event("CONNECTED_USER_INFO")
    full = await upgrade_on_keep_alive(small, bob["accessToken"])
    assert full == Refused(200, b"ERROR_MAX_CONNECTIONS_EXCEEDED")
    assert _server_errors(caplog) == []

"""The chat websocket over a real loopback server with real websocket clients: every event of
the protocol, the refusals, keep-alive, batching, slow clients and the bad-input list."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest
import trio

from owncastd.http.transport import chat_socket
from tests.chat_ws_client import ChatWs, Refused
from tests.component.chat_fixtures import ChatServer, start_chat_server
from tests.component.edge_chat_fixtures import (
    chat_or_edge_fixture,
    module_redis_fixture,
    single_node_only,
)

__all__ = ["chat_or_edge_fixture", "module_redis_fixture"]


async def test_connect_sends_connected_user_info_first(chat: ChatServer) -> None:
    user = await chat.register("alice")
    ws = await chat.connect(user["accessToken"])
    info = await ws.next_event()
    assert info["type"] == "CONNECTED_USER_INFO"
    assert set(info) == {"type", "id", "timestamp", "user"}
    assert info["user"]["id"] == user["id"] and info["user"]["displayName"] == "alice"
    assert set(info["user"]) >= {"displayColor", "createdAt", "previousNames", "isBot"}
    assert 0 <= info["user"]["displayColor"] <= 7


async def test_missing_unknown_and_disabled_tokens(chat: ChatServer) -> None:
    missing = await chat.connect(None)
    assert await missing.wait_closed() == 1000 and not missing.events
    unknown = await chat.connect("not-a-token")
    assert (await unknown.next_event())["type"] == "ERROR_NEEDS_REGISTRATION"
    assert await unknown.wait_closed() == 1000
    user = await chat.register("gone")
    await chat.room.moderation.set_user_enabled(user["id"], False)
    disabled = await chat.connect(user["accessToken"])
    assert (await disabled.next_event())["type"] == "ERROR_USER_DISABLED"
    assert await disabled.wait_closed() == 1000


@single_node_only(
    "an edge learns chatDisabled a moment later (test_edge_chat pins it) and leaves IP bans"
    " to the origin, which closes the socket after the upgrade (no 403 before it)"
)
async def test_chat_disabled_banned_ip_and_full_are_refused_before_the_upgrade(
    chat: ChatServer, tmp_path: Any, nursery: trio.Nursery
) -> None:
    user = await chat.register("alice")
    chat.configure("chat", disabled=True)
    refused = await ChatWs.connect(chat.port, user["accessToken"])
    assert refused == Refused(200, b"CHAT_DISABLED")
    chat.configure("chat", disabled=False)
    await chat.room.moderation.ban_ip("203.0.113.77", "test")
    banned = await ChatWs.connect(
        chat.port, user["accessToken"], headers=[("X-Forwarded-For", "10.0.0.1, 203.0.113.77")]
    )
    assert isinstance(banned, Refused) and banned.status == 403
    neighbour = await ChatWs.connect(  # the same user from an address that is not banned
        chat.port, user["accessToken"], headers=[("X-Forwarded-For", "10.0.0.1, 203.0.113.78")]
    )
    assert not isinstance(neighbour, Refused), neighbour
    assert (await neighbour.next_event("CONNECTED_USER_INFO"))["user"]["id"] == user["id"]
    small = await start_chat_server(nursery, tmp_path / "small", max_clients=1)
    other = await small.register("bob")
    first = await small.connect(other["accessToken"])
    await first.next_event("CONNECTED_USER_INFO")
    full = await ChatWs.connect(small.port, other["accessToken"])
    assert full == Refused(200, b"ERROR_MAX_CONNECTIONS_EXCEEDED")


async def test_chat_message_reaches_everyone_with_owncast_fields(chat: ChatServer) -> None:
    alice, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_json({"type": "CHAT", "body": "hi <b>bob</b>, see https://a.example"})
    for ws in (alice_ws, bob_ws):
        event = await ws.next_event("CHAT")
        assert set(event) == {"type", "id", "timestamp", "user", "body", "visible"}
        assert event["user"]["id"] == alice["id"] and event["visible"] is True
        assert event["body"] == (
            '<p>hi bob, see <a href="https://a.example" rel="nofollow noreferrer noopener" '
            'target="_blank">https://a.example</a></p>'
        )


async def test_join_when_live_name_and_colour_changes(chat: ChatServer) -> None:
    chat.go_live()
    _, watcher_ws = await chat.join("watcher")
    await watcher_ws.next_event("USER_JOINED")  # its own
    alice, alice_ws = await chat.join("alice")
    joined = await watcher_ws.next_event("USER_JOINED")
    assert joined["user"]["id"] == alice["id"]
    await alice_ws.send_json({"type": "NAME_CHANGE", "newName": "alicia"})
    renamed = await watcher_ws.next_event("NAME_CHANGE")
    assert renamed["oldName"] == "alice" and renamed["user"]["displayName"] == "alicia"
    info = await alice_ws.next_event("CONNECTED_USER_INFO")
    assert info["user"]["displayName"] == "alicia"
    await trio.sleep(0.7)  # the rate limit: ~1.5 frames/s
    await alice_ws.send_json({"type": "COLOR_CHANGE", "newColor": 5})
    info = await alice_ws.next_event("CONNECTED_USER_INFO")
    assert info["user"]["displayColor"] == 5
    await watcher_ws.no_event("CONNECTED_USER_INFO", wait=0.3)


async def test_stream_start_and_stop_are_announced(chat: ChatServer) -> None:
    _, ws = await chat.join("alice")
    session = chat.stream.begin("203.0.113.9")
    starting = await ws.next_event("CHAT_ACTION")
    assert starting["body"] == "<p>Stay tuned, the stream is <strong>starting</strong>!</p>\n"
    session.end()
    assert (await ws.next_event("CHAT_ACTION"))["body"] == "<p>The stream is ending.</p>\n"


async def test_flood_gets_a_notice_and_is_dropped(chat: ChatServer) -> None:
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    for i in range(3):
        await alice_ws.send_json({"type": "CHAT", "body": f"spam {i}"})
    notice = await alice_ws.next_event("CHAT_ACTION")
    assert "perceived flooding" in notice["body"]
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>spam 0</p>"
    await bob_ws.no_event("CHAT", wait=0.5)


async def test_slur_filter_when_enabled(chat: ChatServer) -> None:
    chat.configure("chat", slur_filter_enabled=True)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_json({"type": "CHAT", "body": "you are a b1tch"})
    notice = await alice_ws.next_event("CHAT_ACTION")
    assert "language that is not allowed" in notice["body"]
    await bob_ws.no_event("CHAT", wait=0.3)


async def test_protocol_pings_and_read_deadline(
    chat: ChatServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=chat_socket.__name__)
    monkeypatch.setattr(chat_socket, "PING_INTERVAL", 0.2)
    monkeypatch.setattr(chat_socket, "READ_TIMEOUT", 1.0)
    user = await chat.register("alice")
    ws = await chat.connect(user["accessToken"])
    silent = await chat.connect(user["accessToken"])  # never reads, so never answers a ping
    with trio.move_on_after(1.5):  # past the read deadline
        while True:
            await ws.next_event("NEVER", timeout=2)  # reads and answers pings
    assert ws.pings >= 3 and not ws.closed
    with trio.fail_after(5):  # the server gives up on the silent one (and only on it)
        while "chat client read timeout" not in caplog.text:  # noqa: ASYNC110 — a log line
            await trio.sleep(0.01)
    assert caplog.text.count("chat client read timeout") == 1
    assert await silent.wait_closed() == 1000


def _slow_reader_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


async def _slow_client(chat: ChatServer, token: str) -> ChatWs:
    """A client with a tiny receive buffer (so the server's writes back up)."""
    raw = trio.socket.from_stdlib_socket(_slow_reader_socket())
    await raw.connect(("127.0.0.1", chat.port))
    stream = trio.SocketStream(raw)
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    conn = WSConnection(ConnectionType.CLIENT)
    await stream.send_all(conn.send(Request(host="x", target=f"/ws?accessToken={token}")))
    while True:
        conn.receive_data(await stream.receive_some(4096))
        if any(isinstance(e, AcceptConnection) for e in conn.events()):
            return ChatWs(stream, conn)


async def test_a_slow_reader_gets_batched_frames(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, sender = await chat.join("sender")
    reader_user = await chat.register("reader")
    reader = await _slow_client(chat, reader_user["accessToken"])
    await reader.next_event("CONNECTED_USER_INFO")  # joined: it will get every message
    body = "x" * 1500
    for i in range(120):
        await sender.send_json({"type": "CHAT", "body": f"{i} {body}"})
    for _ in range(120):
        await sender.next_event("CHAT")
    received = [await reader.next_event("CHAT") for _ in range(120)]
    assert [int(e["body"].removeprefix("<p>").split()[0]) for e in received] == list(range(120))
    assert len(reader.frames) < 121  # some frames carried several events
    assert any("\n" in frame for frame in reader.frames)


async def test_a_client_that_never_reads_is_dropped_and_nobody_else_notices(
    chat: ChatServer,
) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, sender = await chat.join("sender")
    _, bystander = await chat.join("bystander")
    stuck_user = await chat.register("stuck")
    await _slow_client(chat, stuck_user["accessToken"])  # never read again
    body = "y" * 1800
    for i in range(400):
        await sender.send_json({"type": "CHAT", "body": f"{i} {body}"})
        if i % 50 == 49:
            for _ in range(50):
                await bystander.next_event("CHAT")
                await sender.next_event("CHAT")
    assert [c.user.display_name for c in chat.room.clients()] == ["sender", "bystander"]


# ---- bad input --------------------------------------------------------------------------


async def test_malformed_unknown_and_binary_frames_are_ignored(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_text("{not json")
    await alice_ws.send_text('{"type": "DANCE", "body": "x"}')
    await alice_ws.send_text("[1, 2, 3]")
    await alice_ws.send_bytes(b"\x00\x01binary")
    await alice_ws.send_json({"type": "CHAT", "body": "still here"})
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>still here</p>"
    assert not alice_ws.closed


async def test_deeply_nested_frames_are_ignored_and_the_connection_lives(
    chat: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_text("[" * 1500)
    await alice_ws.send_text("[" * 1000 + "]" * 1000)  # well-formed, still too deep
    await alice_ws.send_json({"type": "CHAT", "body": "still here"})
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>still here</p>"
    assert not alice_ws.closed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_oversized_frames_get_a_notice_and_huge_frames_close(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_json({"type": "CHAT", "body": "z" * 3000})
    notice = await alice_ws.next_event("CHAT_ACTION")
    assert "exceeded the maximum size" in notice["body"]
    await alice_ws.send_json({"type": "NAME_CHANGE", "newName": "n" * 10_000})
    assert await alice_ws.wait_closed() == 1009
    _, carol_ws = await chat.join("carol")
    await carol_ws.send_text(json.dumps({"type": "CHAT", "body": "m" * (1024 * 1024)}))
    assert await carol_ws.wait_closed() == 1009  # a lingering close: the code arrives
    _, dave_ws = await chat.join("dave")
    await dave_ws.send_json({"type": "CHAT", "body": "after the storm"})
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>after the storm</p>"


async def test_html_script_and_link_tricks_are_neutralised(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    attacks = {
        "<script>alert(1)</script>ok": "ok",
        '<img src=x onerror="alert(1)">ok': "<p>ok</p>",
        "[x](javascript:alert(1))": "<p>[x](javascript:alert(1))</p>",
        '<a href="javascript:alert(1)">x</a>': "<p>x</p>",
        "![pic](https://evil.example/p.png)ok": "<p>ok</p>",
    }
    for attack in attacks:
        await alice_ws.send_json({"type": "CHAT", "body": attack})
    bodies = [(await bob_ws.next_event("CHAT"))["body"] for _ in attacks]
    assert bodies == list(attacks.values())
    await alice_ws.send_json({"type": "NAME_CHANGE", "newName": "<script>x</script><b>eve</b>"})
    renamed = await bob_ws.next_event("NAME_CHANGE")
    assert renamed["user"]["displayName"] == "eve"


async def test_garbage_instead_of_a_handshake_and_raw_protocol_errors(chat: ChatServer) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", chat.port)
    await stream.send_all(b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
    with trio.fail_after(5):
        answer = await stream.receive_some(4096)
    assert answer.startswith(b"HTTP/1.1 4")
    await stream.aclose()
    user = await chat.register("alice")
    ws = await chat.connect(user["accessToken"])
    await ws.next_event("CONNECTED_USER_INFO")
    await ws.send_raw(b"\x81\x05hello")  # an unmasked client frame is a protocol error
    assert await ws.wait_closed() == 1002
    _, ok = await chat.join("bob")
    assert not ok.closed


async def test_an_upgrade_on_a_reused_keep_alive_connection_still_chats(chat: ChatServer) -> None:
    """The front door sees only a connection's first request; later upgrades take the ASGI
    fallback (same room, same rules)."""
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    _, bob_ws = await chat.join("bob")
    alice = await chat.register("alice")
    stream = await trio.open_tcp_stream("127.0.0.1", chat.port)
    await stream.send_all(b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n")
    with trio.fail_after(5):
        first = await stream.receive_some(65536)
    assert first.startswith(b"HTTP/1.1 200")
    conn = WSConnection(ConnectionType.CLIENT)
    await stream.send_all(
        conn.send(Request(host="x", target=f"/ws?accessToken={alice['accessToken']}"))
    )
    with trio.fail_after(5):
        while True:
            conn.receive_data(await stream.receive_some(65536))
            events = list(conn.events())
            if any(isinstance(e, AcceptConnection) for e in events):
                break
    ws = ChatWs(stream, conn)
    ws._absorb(events)
    assert (await ws.next_event())["type"] == "CONNECTED_USER_INFO"
    await ws.send_json({"type": "CHAT", "body": "via the fallback"})
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>via the fallback</p>"
    assert (await ws.next_event("CHAT"))["body"] == "<p>via the fallback</p>"

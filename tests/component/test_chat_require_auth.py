"""`chat/requireauthentication` (develop §2.5) with real websocket clients: unauthenticated users
register, connect, receive and read history, but every event they send is dropped and only they
get the notice; moderators and authenticated users chat. Both the raw socket and the ASGI
fallback take the same path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.chat_ws_client import ChatWs
from tests.component.chat_fixtures import ChatServer
from tests.component.edge_chat_fixtures import chat_or_edge_fixture, module_redis_fixture
from tests.component.test_chat_asgi_fallback import upgrade_on_keep_alive

__all__ = ["chat_or_edge_fixture", "module_redis_fixture"]

AUTH_REQUIRED = "<p>Authentication is required to participate in chat.</p>\n"


async def _mark_authenticated(chat: ChatServer, user_id: str) -> None:
    # Nobody can log in yet (IndieAuth/Fediverse is issue 11): set what a login will store.
    stamp = datetime.now(UTC).isoformat()
    await chat.store._store.write(
        "UPDATE users SET authenticated_at = ? WHERE id = ?", (stamp, user_id)
    )


async def _join_as(chat: ChatServer, user: dict[str, Any]) -> ChatWs:
    ws = await chat.connect(user["accessToken"])
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


async def test_anonymous_users_read_but_every_event_they_send_is_refused(
    chat: ChatServer,
) -> None:
    chat.configure("chat", require_authentication=True, spam_protection_enabled=False)
    anon, anon_ws = await chat.join("anon")
    before = await chat.store.user(anon["id"])
    moderator = await chat.register("mod")
    await chat.room.moderation.set_moderator(moderator["id"], True)
    mod_ws = await _join_as(chat, moderator)
    member = await chat.register("member")
    await _mark_authenticated(chat, member["id"])
    member_ws = await _join_as(chat, member)

    await anon_ws.send_json({"type": "CHAT", "body": "let me in"})
    assert (await anon_ws.next_event("CHAT_ACTION"))["body"] == AUTH_REQUIRED
    await anon_ws.send_json({"type": "NAME_CHANGE", "newName": "sneaky"})
    assert (await anon_ws.next_event("CHAT_ACTION"))["body"] == AUTH_REQUIRED
    await anon_ws.send_json({"type": "COLOR_CHANGE", "newColor": 3})
    assert (await anon_ws.next_event("CHAT_ACTION"))["body"] == AUTH_REQUIRED
    await anon_ws.send_text("{not json")  # refused before the frame is even read
    assert (await anon_ws.next_event("CHAT_ACTION"))["body"] == AUTH_REQUIRED

    # One sender at a time: two connections' messages may be handled in either order.
    for sender, body in ((mod_ws, "mods may"), (member_ws, "members may")):
        await sender.send_json({"type": "CHAT", "body": body})
        for ws in (anon_ws, mod_ws, member_ws):  # the anonymous user still receives everything
            assert (await ws.next_event("CHAT"))["body"] == f"<p>{body}</p>"
    await mod_ws.no_event("CHAT_ACTION", wait=0.2)  # the notice went to the sender alone
    await member_ws.no_event("NAME_CHANGE", wait=0.1)
    assert await chat.store.user(anon["id"]) == before  # neither renamed nor recoloured

    async with chat.http() as client:
        history = await client.get("/api/chat", params={"accessToken": anon["accessToken"]})
    assert history.status_code == 200
    assert "<p>let me in</p>" not in [m["body"] for m in history.json()]


async def test_off_by_default_and_established_mode_is_checked_first(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, anon_ws = await chat.join("anon")
    await anon_ws.send_json({"type": "CHAT", "body": "free chat"})
    assert (await anon_ws.next_event("CHAT"))["body"] == "<p>free chat</p>"
    chat.configure("chat", require_authentication=True, established_user_mode=True)
    await anon_ws.send_json({"type": "CHAT", "body": "too new"})
    notice = await anon_ws.next_event("CHAT_ACTION")
    assert "established chat participant" in notice["body"]


async def test_the_asgi_fallback_refuses_the_same_way(chat: ChatServer) -> None:
    chat.configure("chat", require_authentication=True, spam_protection_enabled=False)
    _, watcher = await chat.join("watcher")
    anon = await chat.register("anon")
    ws = await upgrade_on_keep_alive(chat, anon["accessToken"])
    assert isinstance(ws, ChatWs)
    assert (await ws.next_event())["type"] == "CONNECTED_USER_INFO"
    await ws.send_json({"type": "CHAT", "body": "via the fallback"})
    assert (await ws.next_event("CHAT_ACTION"))["body"] == AUTH_REQUIRED
    await watcher.no_event("CHAT", wait=0.3)


async def test_a_bot_is_not_a_chat_user_and_may_still_post(chat: ChatServer) -> None:
    """Owncast checks the flag on the websocket only; integrations post with their token."""
    chat.configure("chat", require_authentication=True)
    _, watcher = await chat.join("watcher")
    await chat.room.send_system_message('<a href="https://x.example">rules</a>')
    event = await watcher.next_event("SYSTEM")
    assert event["body"] == '<p><a href="https://x.example">rules</a></p>\n'

"""Owncast's chat bodies on the wire (develop §7.1), as a client sees them: the websocket
broadcast, `/api/chat` and `/api/admin/chat/messages` carry the same HTML Owncast writes, custom
emoji shortcodes become images, and notices keep goldmark's trailing newline."""

from __future__ import annotations

import base64

import trio

from tests.component.chat_fixtures import ChatServer
from tests.component.edge_chat_fixtures import chat_or_edge_fixture, module_redis_fixture
from tests.component.test_chat_http import PNG

__all__ = ["chat_or_edge_fixture", "module_redis_fixture"]

LINK = (
    '<p><a href="http://x.com" rel="nofollow noreferrer noopener" target="_blank">'
    "http://x.com</a></p>"
)
SENT = {
    "hi": "<p>hi</p>",
    "http://x.com": LINK,
    "_a_ **b**": "<p><em>a</em> <strong>b</strong></p>",
}


async def _history(chat: ChatServer, token: str, count: int) -> list[dict[str, object]]:
    async with chat.http() as client:
        with trio.fail_after(10):  # the group-commit writer stores a moment after the broadcast
            while True:
                response = await client.get("/api/chat", params={"accessToken": token})
                assert response.status_code == 200
                if len(response.json()) >= count:
                    return response.json()  # type: ignore[no-any-return]
                await trio.sleep(0.05)


async def test_user_bodies_are_owncasts_html_everywhere(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    alice, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    for text, body in SENT.items():
        await alice_ws.send_json({"type": "CHAT", "body": text})
        event = await bob_ws.next_event("CHAT")
        assert event["body"] == body
    history = await _history(chat, alice["accessToken"], len(SENT))
    assert [m["body"] for m in history] == list(SENT.values())
    admin = await chat.admin_get("/api/admin/chat/messages")
    assert sorted(m["body"] for m in admin if m["type"] == "CHAT") == sorted(SENT.values())


async def test_an_empty_message_is_dropped(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_json({"type": "CHAT", "body": "<iframe src=https://x.example></iframe>"})
    await bob_ws.no_event("CHAT", wait=0.3)
    await alice_ws.send_json({"type": "CHAT", "body": "after"})
    assert (await bob_ws.next_event("CHAT"))["body"] == "<p>after</p>"


async def test_an_uploaded_emoji_shortcode_renders_as_its_image(chat: ChatServer) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    uploaded = await chat.admin_post("/api/admin/emoji/upload", {"name": "Blob", "data": data_uri})
    assert uploaded.status_code == 200, uploaded.text
    _, alice_ws = await chat.join("alice")
    await alice_ws.send_json({"type": "CHAT", "body": "hey :BLOB: :other:"})
    event = await alice_ws.next_event("CHAT")
    assert event["body"] == (
        '<p>hey <img src="/img/emoji/Blob.png" class="emoji" alt=":Blob:" title=":Blob:">'
        " :other:</p>"
    )


async def test_notices_keep_goldmarks_newline(chat: ChatServer) -> None:
    _, ws = await chat.join("alice")
    chat.go_live()
    starting = await ws.next_event("CHAT_ACTION")
    assert starting["body"] == "<p>Stay tuned, the stream is <strong>starting</strong>!</p>\n"

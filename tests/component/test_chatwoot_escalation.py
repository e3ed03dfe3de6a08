"""Moderation escalation and agent commands, and the public relay, over real HTTP and
websockets with the in-memory Chatwoot: the escalation is a labelled conversation with the
message, its author and their recent messages; `/hide` from an allowed agent hides the message
for every viewer and is confirmed; other agents are refused; `/timeout` disables the user and
lifts it; the relay conversation's agent messages reach public chat once, as a bot."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from owncastd.core.chat.events import UserDisabled
from tests.component.app_fixtures import ADMIN_PASSWORD
from tests.component.chatwoot_fixtures import BridgeServer, message_created, start_bridge_server

ADMIN = ("admin", ADMIN_PASSWORD)


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> BridgeServer:
    server = await start_bridge_server(nursery, tmp_path)
    server.settings.set(allowed_agent_ids=(7,), relay_conversation_id=777)
    return server


async def escalate(server: BridgeServer, payload: Any, **kwargs: Any):
    async with server.http() as client:
        return await client.post("/api/admin/chatwoot/escalate", json=payload, **kwargs)


def notes(server: BridgeServer, cid: int) -> list[str]:
    return [
        m.content or ""
        for m in server.api.conversations[cid].messages
        if m.private and m.message_type == "outgoing"
    ]


async def wait_notes(server: BridgeServer, cid: int, count: int) -> list[str]:
    with trio.fail_after(10):
        await server.api.wait_until(
            lambda: cid in server.api.conversations and len(notes(server, cid)) >= count
        )
    return notes(server, cid)


async def test_escalation_and_agent_commands(server: BridgeServer):
    ada, ada_ws = await server.chat.join("Ada")
    _, bob_ws = await server.chat.join("Bob")
    server.chat.go_live()
    for body in ("first words", "buy cheap pills"):
        await ada_ws.send_json({"type": "CHAT", "body": body})
        reported = await bob_ws.next_event("CHAT")
        await trio.sleep(0.7)  # chat's own rate limit (1.5 messages a second)
    assert (await escalate(server, {"messageId": reported["id"]})).status_code == 401
    assert (await escalate(server, {}, auth=ADMIN)).status_code == 400
    assert (await escalate(server, {"messageId": "nope"}, auth=ADMIN)).status_code == 404
    sent = await escalate(server, {"messageId": reported["id"], "note": "spam?"}, auth=ADMIN)
    assert sent.status_code == 202 and sent.json()["success"] is True
    with trio.fail_after(10):
        await server.api.wait_until(lambda: bool(server.api.conversations))
    [cid] = server.api.conversations
    [summary] = await wait_notes(server, cid, 1)
    assert server.api.conversations[cid].labels == ["owncast-escalation"]
    for part in ("Note: spam?", "Author: Ada", "Reported message", "buy cheap pills", "- "):
        assert part in summary, summary
    assert "first words" in summary  # the author's recent messages

    # An agent who is not allowed: refused, nothing done.
    stranger = {"id": 8, "name": "Eve", "type": "user"}
    assert (await server.webhook(message_created(600, cid, "/hide", sender=stranger))).json()[
        "message"
    ] == "handled"
    assert "Refused" in (await wait_notes(server, cid, 2))[1]
    # An allowed agent: the message is hidden for everyone, and it is confirmed.
    await server.webhook(message_created(601, cid, "/hide"))
    hidden = await bob_ws.next_event("VISIBILITY-UPDATE")
    assert hidden["ids"] == [reported["id"]] and hidden["visible"] is False
    assert (await wait_notes(server, cid, 3))[2].startswith("Done: 1 message(s) hidden")
    assert (await server.webhook(message_created(601, cid, "/hide"))).json()["message"] == "replay"
    # A timeout disables the user, then re-enables them.
    lifted = trio.Event()
    server.chat.room.subscribe(
        lambda e: lifted.set() if isinstance(e, UserDisabled) and e.enabled else None
    )
    await server.webhook(message_created(602, cid, "/timeout 1s"))
    await ada_ws.next_event("ERROR_USER_DISABLED")
    assert "timed out for 1 seconds" in (await wait_notes(server, cid, 4))[3]
    with trio.fail_after(10):
        await lifted.wait()
    user = await server.chat.store.user(ada["id"])
    assert user is not None and not user.disabled
    await server.webhook(message_created(603, cid, "/timeout soon"))
    assert (await wait_notes(server, cid, 5))[4].startswith("Not done: usage")
    await bob_ws.aclose()


async def test_relay_posts_agent_messages_to_public_chat_once(server: BridgeServer):
    bob, bob_ws = await server.chat.join("Bob")
    reply = message_created(700, 777, "The stream starts at 8pm")
    assert (await server.webhook(reply)).json()["message"] == "handled"
    chat = await bob_ws.next_event("CHAT")
    assert chat["user"]["displayName"] == "Team" and chat["user"]["isBot"] is True
    assert "The stream starts at 8pm" in chat["body"]
    assert (await server.webhook(reply)).json()["message"] == "replay"
    note = message_created(701, 777, "internal", private=True)
    assert (await server.webhook(note)).json()["message"] == "ignored"
    async with server.http() as client:
        history = await client.get("/api/chat", params={"accessToken": bob["accessToken"]})
    assert [m["body"] for m in history.json() if m["user"]["id"] == "chatwoot-relay"] == [
        chat["body"]
    ]
    await bob_ws.aclose()


async def test_a_moderator_escalates_with_their_chat_token(server: BridgeServer):
    ada, ada_ws = await server.chat.join("Ada")
    mod, mod_ws = await server.chat.join("Mo")
    server.chat.go_live()
    await ada_ws.send_json({"type": "CHAT", "body": "rude words"})
    reported = await mod_ws.next_event("CHAT")
    path = "/api/moderation/chatwoot/escalate"
    async with server.http() as client:
        as_viewer = await client.post(
            path, params={"accessToken": ada["accessToken"]}, json={"messageId": reported["id"]}
        )
        assert as_viewer.status_code == 401  # not a moderator
        await server.chat.room.moderation.set_moderator(mod["id"], True)
        sent = await client.post(
            path, params={"accessToken": mod["accessToken"]}, json={"messageId": reported["id"]}
        )
    assert sent.status_code == 202, sent.text
    with trio.fail_after(10):
        await server.api.wait_until(lambda: bool(server.api.conversations))
    [cid] = server.api.conversations
    [summary] = await wait_notes(server, cid, 1)
    assert "by moderator Mo" in summary and "rude words" in summary

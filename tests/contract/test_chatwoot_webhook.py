"""The Chatwoot webhook endpoint as Chatwoot's agent bot sees it (`POST
/api/chatwoot/webhook/{secret}`): a wrong secret is a plain 404, an oversize body 413, bad JSON
400; unknown events, replays, notes and our own bot's messages are answered 200 and change
nothing; a status change is tracked."""

from __future__ import annotations

import pytest
import trio

from tests.component.chatwoot_fixtures import (
    SECRET,
    BridgeServer,
    message_created,
    start_bridge_server,
)

JSON_200 = {"success": True}


@pytest.fixture(name="server", params=["app", "fast"])
async def server_fixture(request, tmp_path, nursery) -> BridgeServer:
    """Each test on both paths: the general app alone, and with the lean path in front."""
    return await start_bridge_server(nursery, tmp_path, fast_path=request.param == "fast")


async def viewer_conversation(server: BridgeServer) -> tuple[dict, int]:
    """A viewer with a conversation in the fake Chatwoot (their first message was sent)."""
    user = await server.chat.register("Ada")
    assert (await server.send(user["accessToken"], "hi team")).status_code == 202
    with trio.fail_after(10):
        await server.api.wait_until(lambda: bool(server.api.incoming()))
    [cid] = server.api.conversations
    return user, cid


async def test_wrong_or_missing_secret_is_404_and_reveals_nothing(server: BridgeServer):
    wrong = await server.webhook(message_created(1, 1, "x"), secret="nope")
    right_length = await server.webhook(message_created(1, 1, "x"), secret="x" * len(SECRET))
    for response in (wrong, right_length):
        assert response.status_code == 404
        assert response.json() == {"success": False, "message": "not found"}
    server.settings.set(enabled=False)
    assert (await server.webhook(message_created(1, 1, "x"))).status_code == 404
    server.settings.set(enabled=True, webhook_secret="")
    assert (await server.webhook(message_created(1, 1, "x"), secret="")).status_code in (404, 405)


async def test_oversize_body_is_413_and_bad_json_400(server: BridgeServer):
    big = b'{"event":"message_created","content":"' + b"a" * (300 * 1024) + b'"}'
    response = await server.webhook(None, content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    bad = await server.webhook(
        None, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    array = await server.webhook([1, 2])
    assert array.status_code == 400
    malformed = await server.webhook({"event": "message_created", "content": "no ids"})
    assert malformed.status_code == 400


async def test_unknown_events_are_200_and_ignored(server: BridgeServer):
    for event in ("webwidget_triggered", "contact_created", "conversation_typing_on", "x"):
        response = await server.webhook({"event": event, "id": 5})
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"success": True, "message": "ignored"}


async def test_reply_is_delivered_once_replay_and_own_bot_ignored(server: BridgeServer):
    user, cid = await viewer_conversation(server)
    ws = await server.chat.connect(user["accessToken"])
    reply = message_created(900, cid, "hello Ada", attachments=[{"data_url": "https://cw/f.png"}])
    first = await server.webhook(reply)
    assert first.json() == {"success": True, "message": "delivered"}
    event = await ws.next_event("CHATWOOT_MESSAGE")
    assert event["body"] == "hello Ada" and event["author"] == "agent"
    assert event["attachments"] == ["https://cw/f.png"]
    assert (await server.webhook(reply)).json() == {"success": True, "message": "replay"}
    bot = {"id": 1, "name": "owncast", "type": "agent_bot"}
    own = await server.webhook(message_created(901, cid, "echo", sender=bot))
    note = await server.webhook(message_created(902, cid, "internal", private=True))
    echo = await server.webhook(
        message_created(903, cid, "hi team", message_type="incoming", sender={"id": 9})
    )
    for response in (own, note, echo):
        assert response.json() == {"success": True, "message": "ignored"}
    thread = (await server.thread(user["accessToken"])).json()["messages"]
    assert [(m["author"], m["body"]) for m in thread] == [
        ("viewer", "hi team"),
        ("agent", "hello Ada"),
    ]
    await ws.aclose()


async def test_status_changed_is_tracked_and_resolved_reopens(server: BridgeServer):
    user, cid = await viewer_conversation(server)
    changed = {
        "event": "conversation_status_changed",
        "id": cid,
        "status": "resolved",
        "changed_attributes": [{"status": {"previous_value": "open", "current_value": "resolved"}}],
    }
    assert (await server.webhook(changed)).json() == {"success": True, "message": "status"}
    conversation = await server.bridge.repo.conversation(cid)
    assert conversation is not None and conversation.status == "resolved"
    server.api.conversations[cid].status = "resolved"
    server.monotonic.now += 1  # past the chat rate limit
    assert (await server.send(user["accessToken"], "me again")).status_code == 202
    with trio.fail_after(10):
        await server.api.wait_until(lambda: len(server.api.incoming()) == 2)
    assert server.api.conversations[cid].status == "pending"
    assert server.api.incoming(cid) == ["hi team", "me again"]

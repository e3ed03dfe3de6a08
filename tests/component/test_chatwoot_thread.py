"""A viewer's private thread over real HTTP and websockets with the in-memory Chatwoot: the
message is stored before 202, reaches Chatwoot (also after an outage); an agent reply reaches
every socket of that viewer and nobody else; notes never arrive; a missed reply comes with the
reconcile, once; rate limits answer 429; a disabled bridge advertises nothing."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from tests.chat_ws_client import ChatWs
from tests.component.chatwoot_fixtures import BridgeServer, message_created, start_bridge_server


@pytest.fixture(name="server", params=["app", "fast"])
async def server_fixture(request, tmp_path, nursery) -> BridgeServer:
    """Each test on both paths: the general app alone, and with the lean path in front."""
    return await start_bridge_server(nursery, tmp_path, fast_path=request.param == "fast")


async def events_until_marker(server: BridgeServer, ws: ChatWs) -> list[dict[str, Any]]:
    """Every event `ws` gets before a CHAT_ACTION broadcast now (so nothing else is pending)."""
    marker = server.chat.room.broadcast_action("marker")
    seen = []
    while True:
        event = await ws.next_event()
        if event.get("id") == marker:
            return seen
        seen.append(event)


async def test_disabled_bridge_advertises_nothing(server: BridgeServer):
    user = await server.chat.register("Ada")
    server.settings.set(enabled=False)
    nothing = await server.thread(user["accessToken"])
    assert (nothing.status_code, nothing.content) == (204, b"")
    assert (await server.send(user["accessToken"], "hi")).status_code == 404
    server.settings.set(enabled=True)
    assert (await server.thread(user["accessToken"])).json() == {"messages": []}
    assert (await server.thread("not-a-token")).status_code == 401
    assert (await server.send("not-a-token", "hi")).status_code == 401


async def test_reply_reaches_only_that_viewer_on_all_sockets(server: BridgeServer):
    ada, ada_ws = await server.chat.join("Ada")
    ada_phone = await server.chat.connect(ada["accessToken"])
    _, bob_ws = await server.chat.join("Bob")
    sent = await server.send(ada["accessToken"], "  is the VOD coming?  ")
    assert sent.status_code == 202
    assert sent.json()["body"] == "is the VOD coming?" and sent.json()["author"] == "viewer"
    for ws in (ada_ws, ada_phone):  # her other device sees it too
        own = await ws.next_event("CHATWOOT_MESSAGE")
        assert (own["id"], own["author"]) == (sent.json()["id"], "viewer")
    with trio.fail_after(10):
        await server.api.wait_until(lambda: bool(server.api.incoming()))
    [cid] = server.api.conversations
    assert server.api.incoming(cid) == ["is the VOD coming?"]
    assert server.api.contacts["owncast:" + ada["id"]][2] == "Ada"
    await server.webhook(message_created(500, cid, "internal only", private=True))
    await server.webhook(message_created(501, cid, "Yes, tomorrow"))
    for ws in (ada_ws, ada_phone):
        reply = await ws.next_event("CHATWOOT_MESSAGE")
        assert (reply["body"], reply["author"], reply["senderName"]) == (
            "Yes, tomorrow",
            "agent",
            "Agent Smith",
        )
    for ws in (ada_ws, ada_phone):
        assert all(e["type"] != "CHATWOOT_MESSAGE" for e in await events_until_marker(server, ws))
    bob_events = await events_until_marker(server, bob_ws)
    assert all(e["type"] != "CHATWOOT_MESSAGE" for e in bob_events), bob_events
    assert all("internal only" not in str(e) for e in bob_events)
    for ws in (ada_ws, ada_phone, bob_ws):
        await ws.aclose()


async def test_outage_then_missed_reply_comes_with_reconcile_once(server: BridgeServer):
    ada, ws = await server.chat.join("Ada")
    server.api.down = True
    assert (await server.send(ada["accessToken"], "anyone there?")).status_code == 202
    assert (await ws.next_event("CHATWOOT_MESSAGE"))["body"] == "anyone there?"
    with trio.fail_after(10):
        await server.api.wait_until(lambda: bool(server.api.calls))  # tried, refused
    server.api.down = False
    with trio.fail_after(10):  # retried after the backoff (1 s)
        await server.api.wait_until(lambda: bool(server.api.incoming()))
    [cid] = server.api.conversations
    server.api.agent_reply(cid, "sorry, missed you")  # its webhook never arrived
    server.api.agent_reply(cid, "a note", private=True)
    assert await server.bridge.reconcile() == 1
    assert (await ws.next_event("CHATWOOT_MESSAGE"))["body"] == "sorry, missed you"
    assert await server.bridge.reconcile() == 0
    thread = (await server.thread(ada["accessToken"])).json()["messages"]
    assert [m["body"] for m in thread] == ["anyone there?", "sorry, missed you"]
    assert [m["status"] for m in thread] == ["sent", "received"]
    await ws.aclose()


async def test_rate_limits_per_viewer_and_global(server: BridgeServer):
    ada = await server.chat.register("Ada")
    bob = await server.chat.register("Bob")
    assert (await server.send(ada["accessToken"], "one")).status_code == 202
    too_fast = await server.send(ada["accessToken"], "two")
    assert too_fast.status_code == 429
    assert "too quickly" in too_fast.json()["message"]
    server.settings.set(global_messages_per_minute=2)  # two at once, then one per 30 s
    server.monotonic.now += 1
    assert (await server.send(bob["accessToken"], "first")).status_code == 202
    server.monotonic.now += 1
    assert (await server.send(bob["accessToken"], "second")).status_code == 202
    capped = await server.send(ada["accessToken"], "three")
    assert capped.status_code == 429
    assert "too many messages" in capped.json()["message"]
    server.monotonic.now += 30
    assert (await server.send(ada["accessToken"], "three")).status_code == 202
    empty = await server.send(ada["accessToken"], "   ")
    assert empty.status_code == 400

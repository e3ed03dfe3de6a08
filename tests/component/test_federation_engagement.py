"""Fediverse engagement kept in chat history (issue 11; reference §2.4, develop §1.6): a remote
server (signatures by `apsig`) likes and boosts our posts; each engagement shown in chat is a
`messages` row without a user (title/image/link columns), in the admin history in Owncast's
stored shape and never in `/api/chat`. Engagement that is not shown (show-engagement off, chat
disabled) is not stored either."""

from __future__ import annotations

import time
from typing import Any

import pytest
import trio

from owncastd.core.federation.models import LIKE, REPOST
from tests.chat_ws_client import ChatWs
from tests.component.federation_fixtures import FederatedServer, start_federated_server
from tests.federation_remote import AS, RemoteServer


@pytest.fixture(name="fed")
async def federated(tmp_path, nursery) -> FederatedServer:
    return await start_federated_server(nursery, tmp_path)


@pytest.fixture(name="remote")
async def remote_server(nursery) -> RemoteServer:
    return await RemoteServer().start(nursery)


async def engagement_rows(fed: FederatedServer, count: int) -> list[dict[str, Any]]:
    """The engagement rows of `messages`, once there are `count` (the writer commits a moment
    after the broadcast, in order)."""

    def query(conn: Any) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT * FROM messages WHERE eventType LIKE 'FEDIVERSE_%' ORDER BY rowid"
        )
        return [dict(row) for row in rows]

    with trio.fail_after(10):
        while True:
            rows = await fed.store.read(query)
            if len(rows) >= count:
                return rows
            await trio.sleep(0.02)


async def test_shown_engagement_is_stored_and_in_the_admin_history_only(
    fed: FederatedServer, remote: RemoteServer
):
    async with fed.http() as client:
        user = (await client.post("/api/chat/register", json={})).json()
    ws = await ChatWs.connect(fed.port, user["accessToken"])
    assert isinstance(ws, ChatWs)
    await ws.next_event("CONNECTED_USER_INFO")
    await ws.send_json({"type": "CHAT", "body": "hello"})
    await ws.next_event("CHAT")
    posts = [f"{fed.url}/federation/post{n}" for n in (1, 2)]
    for n, post in enumerate(posts):
        await fed.fed.store.add_outbox(post, {"id": post, "type": "Note"}, "Note", time.time(),
                                       live=n == 1)  # fmt: skip

    def activity(kind: str, post: str, n: int) -> dict[str, Any]:
        return {"@context": AS, "id": f"{remote.actor()}#{kind}/{n}", "type": kind,
                "actor": remote.actor(), "object": post}  # fmt: skip

    fed.configure("federation", show_engagement=False)
    assert (await remote.post(fed.inbox, activity("Like", posts[0], 1))).status_code == 202
    fed.configure("federation", show_engagement=True)
    fed.configure("chat", disabled=True)
    assert (await remote.post(fed.inbox, activity("Announce", posts[0], 2))).status_code == 202
    fed.configure("chat", disabled=False)
    assert (await remote.post(fed.inbox, activity("Like", posts[1], 3))).status_code == 202
    liked = await ws.next_event()  # the first event: the hidden ones made none
    assert liked["type"] == LIKE
    assert (await remote.post(fed.inbox, activity("Announce", posts[1], 4))).status_code == 202
    boosted = await ws.next_event(REPOST)

    like_row, boost_row = await engagement_rows(fed, 2)  # exactly the two shown
    assert like_row == {
        "id": liked["id"],
        "user_id": None,  # no real user, as Owncast leaves it
        "body": "Alice Remote  liked that this stream went live.",
        "eventType": LIKE,
        "hidden_at": None,
        "timestamp": liked["timestamp"],
        "title": f"alice@127.0.0.1:{remote.port}",
        "subtitle": None,
        "image": f"{remote.base}/avatars/alice.png",
        "link": remote.actor(),
    }
    assert (boost_row["id"], boost_row["eventType"]) == (boosted["id"], REPOST)

    admin = (await fed.admin("GET", "/api/admin/chat/messages")).json()
    assert [m["type"] for m in admin] == [REPOST, LIKE, "CHAT"]  # newest first
    stored = {key: value for key, value in liked.items() if key != "user"}
    assert admin[1] == stored  # the live event's fields, without the server-name user
    async with fed.http() as client:
        viewer = await client.get("/api/chat", params={"accessToken": user["accessToken"]})
    assert [m["type"] for m in viewer.json()] == ["CHAT"]
    await ws.aclose()

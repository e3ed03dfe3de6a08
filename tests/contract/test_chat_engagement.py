"""Fediverse engagement in chat history, as Owncast keeps it (reference §2.4, §2.8; develop §1.6):
the event is broadcast and saved in `messages` without a user, so the admin history
(`/api/admin/chat/messages`, a left join) lists it as Owncast's stored `FediverseEngagementEvent`
(`type, id, timestamp, body, image, link, title`: no user, no visibility) while the user-facing
histories (`/api/chat`, `/api/integrations/chat`, an inner join on users) never show it. The
pruner drops it like any other row. Through a cluster edge nothing differs: the live event
reaches the edge's viewers and the edge's `/api/chat` (the origin's answer) leaves it out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
import trio

from owncastd.core.chat.fediverse import engagement_publisher
from owncastd.core.chat.room import RETENTION
from owncastd.core.federation.engagement import engagement_event
from owncastd.core.federation.models import FOLLOW, LIKE, RemoteProfile
from tests.component.chat_fixtures import ChatServer
from tests.component.edge_chat_fixtures import chat_or_edge_fixture, module_redis_fixture
from tests.component.integration_fixtures import IntegrationServer, start_integration_server

__all__ = ["chat_or_edge_fixture", "module_redis_fixture"]

ALICE = RemoteProfile(
    iri="https://example.social/users/alice",
    inbox="https://example.social/users/alice/inbox",
    name="<p>Alice</p>",
    username="alice@example.social",
    image="https://example.social/avatars/alice.png",
)
BOB = RemoteProfile(iri="https://b.example/u/bob", inbox="https://b.example/u/bob/inbox",
                    username="bob@b.example")  # fmt: skip
STORED_KEYS = ["type", "id", "timestamp", "body", "image", "link", "title"]


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


async def admin_history(get: Callable[[str], Awaitable[Any]], count: int) -> list[dict[str, Any]]:
    """The admin history once it holds `count` rows (the writer stores a moment after)."""
    with trio.fail_after(10):
        while True:
            rows = await get("/api/admin/chat/messages")
            if len(rows) >= count:
                return rows  # type: ignore[no-any-return]
            await trio.sleep(0.05)


async def integration_admin_get(server: IntegrationServer, path: str) -> Any:
    response = await server.admin("GET", path)
    assert response.status_code == 200
    return response.json()


async def test_engagement_rows_in_the_admin_history_not_the_viewers(server: IntegrationServer):
    user, ws = await server.join("viewer")
    await ws.send_json({"type": "CHAT", "body": "hello"})
    await ws.next_event("CHAT")
    name = server.settings.current.server.name
    now = server.wall()
    like = engagement_event(LIKE, ALICE, event_id="eng-like", at=now + timedelta(seconds=1),
                            live_post=False, server_name=name)  # fmt: skip
    follow = engagement_event(FOLLOW, BOB, event_id="eng-follow", at=now + timedelta(seconds=2),
                              live_post=False, server_name=name)  # fmt: skip
    publish = engagement_publisher(server.room)
    publish(like)
    publish(follow)
    assert await ws.next_event(LIKE) == like  # the live event keeps its user (the server name)
    assert (await ws.next_event(FOLLOW))["user"] == {"displayName": name}

    newest_first = await admin_history(partial(integration_admin_get, server), 3)
    assert [m["type"] for m in newest_first] == [FOLLOW, LIKE, "CHAT"]
    stored_follow, stored_like, chat = newest_first
    assert list(stored_like) == STORED_KEYS
    assert stored_like == {
        "type": LIKE,
        "id": "eng-like",
        "timestamp": like["timestamp"],
        "body": f"Alice  liked a post from {name}.",
        "image": "https://example.social/avatars/alice.png",
        "link": "https://example.social/users/alice",
        "title": "alice@example.social",
    }
    assert stored_follow["image"] is None  # an actor without an avatar: null, as live
    assert stored_follow["body"] == "bob  followed this stream."
    assert chat["user"]["id"] == user["id"] and chat["visible"] is True

    async with server.http() as client:
        viewer = await client.get("/api/chat", params={"accessToken": user["accessToken"]})
    assert [m["type"] for m in viewer.json()] == ["CHAT"]
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    integration = await server.bearer("GET", "/api/integrations/chat", token)
    assert [m["type"] for m in integration.json()] == ["CHAT"]

    # The pruner treats them like other rows: past the retention time they go.
    server.wall.advance(RETENTION.total_seconds() + 1.5)
    assert await server.chat_store.prune_messages(server.wall() - RETENTION) == 2
    left = (await server.admin("GET", "/api/admin/chat/messages")).json()
    assert [m["type"] for m in left] == [FOLLOW]
    await ws.aclose()


@pytest.mark.parametrize("chat", ["edge"], indirect=True)
async def test_through_an_edge_live_yes_viewer_history_no(chat: ChatServer):
    user, ws = await chat.join("viewer")  # on the edge
    name = chat.settings.current.server.name
    like = engagement_event(LIKE, ALICE, event_id="eng-edge", at=chat.wall(), live_post=True,
                            server_name=name)  # fmt: skip
    engagement_publisher(chat.room)(like)  # on the origin
    assert await ws.next_event(LIKE) == like
    stored = await admin_history(chat.admin_get, 1)
    assert [(m["id"], "user" in m) for m in stored] == [("eng-edge", False)]
    async with chat.http() as client:
        viewer = await client.get("/api/chat", params={"accessToken": user["accessToken"]})
    assert viewer.status_code == 200 and viewer.json() == []
    await ws.aclose()

"""The inbox against an independent implementation (develop §1.5–1.6): a remote server whose
signatures are made and checked by `apsig` follows us (our signed Accept verifies with ITS
code), likes and boosts our go-live Note (engagement reaches a real websocket chat client, once
per actor), and unfollows. Refused requests store nothing."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest
import trio

from tests.component.federation_fixtures import FederatedServer, start_federated_server
from tests.component.webhook_receiver import WebhookReceiver
from tests.federation_remote import AS, RemoteServer, remote_key


@pytest.fixture(name="fed")
async def federated(tmp_path, nursery) -> FederatedServer:
    return await start_federated_server(nursery, tmp_path)


@pytest.fixture(name="remote")
async def remote_server(nursery) -> RemoteServer:
    return await RemoteServer().start(nursery)


def follow_of(remote: RemoteServer, fed: FederatedServer, n: int = 1) -> dict:
    actor = remote.actor()
    return {"@context": AS, "id": f"{actor}/follows/{n}", "type": "Follow", "actor": actor,
            "object": fed.actor}  # fmt: skip


async def test_follow_like_boost_unfollow_with_an_independent_implementation(
    fed: FederatedServer, remote: RemoteServer, nursery
):
    hooks = await WebhookReceiver().start(nursery)
    await fed.control.webhooks.create(hooks.url, ["FEDIVERSE_ENGAGEMENT_FOLLOW"])
    ws = await fed.chat_client()
    follow = follow_of(remote, fed)

    response = await remote.post(fed.inbox, follow)
    assert response.status_code == 202, response.text
    accept = await remote.next_delivery()
    assert accept.verified, accept.problem  # apsig accepts our signature
    assert accept.path == "/users/alice/inbox"  # the personal inbox, not the shared one
    assert accept.activity["type"] == "Accept" and accept.activity["actor"] == fed.actor
    assert accept.activity["object"] == follow
    assert accept.activity["https://owncast.online/ns#streamStatus"] == "offline"
    assert remote.fetched and all(ok for _, ok in remote.fetched)  # our GETs were signed
    event = await ws.next_event("FEDIVERSE_ENGAGEMENT_FOLLOW")
    assert event["body"] == "Alice Remote  followed this stream."
    assert event["title"] == f"alice@127.0.0.1:{remote.port}" and event["link"] == remote.actor()
    assert event["image"] == f"{remote.base}/avatars/alice.png"
    assert event["user"] == {"displayName": fed.core.settings.current.server.name}
    hook = (await hooks.next()).json()
    assert hook["type"] == "FEDIVERSE_ENGAGEMENT_FOLLOW"
    assert hook["eventData"]["username"] == f"alice@127.0.0.1:{remote.port}"
    page = (await fed.get("/federation/user/streamer/followers?page=1")).json()
    assert page["orderedItems"] == [remote.actor()]
    async with fed.http() as client:
        public = (await client.get("/api/followers")).json()
        config = (await client.get("/api/config")).json()
    assert public["total"] == 1 and public["results"][0]["link"] == remote.actor()
    assert config["federation"]["followerCount"] == 1

    note = f"{fed.url}/federation/golive1"
    await fed.fed.store.add_outbox(
        note, {"id": note, "type": "Note"}, "Note", time.time(), live=True
    )
    like = {"@context": AS, "id": f"{remote.actor()}#likes/1", "type": "Like",
            "actor": remote.actor(), "object": note}  # fmt: skip
    assert (await remote.post(fed.inbox, like)).status_code == 202
    liked = await ws.next_event("FEDIVERSE_ENGAGEMENT_LIKE")
    assert liked["body"] == "Alice Remote  liked that this stream went live."
    again = {**like, "id": f"{remote.actor()}#likes/2"}
    assert (await remote.post(fed.inbox, again)).status_code == 202  # the same like: once
    boost = {"@context": AS, "id": f"{remote.actor()}/statuses/9/activity", "type": "Announce",
             "actor": remote.actor(), "object": note}  # fmt: skip
    assert (await remote.post(fed.inbox, boost)).status_code == 202
    boosted = await ws.next_event()  # the next event is the boost: the repeated like made none
    assert boosted["type"] == "FEDIVERSE_ENGAGEMENT_REPOST"
    assert boosted["body"] == "Alice Remote  shared this stream with their followers."
    actions = (await fed.admin("GET", "/api/admin/federation/actions")).json()
    assert actions["total"] == 3

    person = {**remote.actor_document("alice"), "name": "Alice Renamed",
              "icon": {"type": "Image", "url": f"{remote.base}/new.png"}}  # fmt: skip
    update = {"@context": AS, "id": f"{remote.actor()}#updates/1", "type": "Update",
              "actor": remote.actor(), "object": person}  # fmt: skip
    assert (await remote.post(fed.inbox, update)).status_code == 202
    reply = {"@context": AS, "id": f"{remote.actor()}/statuses/10/activity", "type": "Create",
             "actor": remote.actor(), "object": {"type": "Note", "inReplyTo": note}}  # fmt: skip
    assert (await remote.post(fed.inbox, reply)).status_code == 202  # logged, not shown
    async with fed.http() as client:
        renamed = (await client.get("/api/followers")).json()["results"][0]
    assert (renamed["name"], renamed["image"]) == ("Alice Renamed", f"{remote.base}/new.png")

    undo = {"@context": AS, "id": f"{remote.actor()}#undo/1", "type": "Undo",
            "actor": remote.actor(), "object": follow}  # fmt: skip
    assert (await remote.post(fed.inbox, undo)).status_code == 202
    assert await fed.stored_rows() == (0, 3)
    collection = (await fed.get("/federation/user/streamer/followers")).json()
    assert collection["totalItems"] == 0
    await ws.aclose()


async def test_refused_requests_store_nothing(fed: FederatedServer, remote: RemoteServer):
    ws = await fed.chat_client()
    follow = follow_of(remote, fed)
    old = formatdate(time.time() - 2 * 3600, usegmt=True)
    other_key = await trio.to_thread.run_sync(remote_key, 1)
    elsewhere = {**follow, "actor": "https://elsewhere.example/users/alice"}
    cases = [
        ("unsigned", {"signature": ""}, 401),
        ("another key", {"key": other_key}, 401),
        ("wrong digest", {"Digest": "SHA-256=" + "A" * 43 + "="}, 401),
        ("stale date", {"date": old}, 401),
        ("actor on another host", {"activity": elsewhere}, 401),
        ("oversized", {"body": b'{"a":"' + b"x" * (1 << 20) + b'"}'}, 413),
        ("deeply nested", {"body": b'{"type":"Follow","a":' + b"[" * 40 + b"]" * 40 + b"}"}, 400),
    ]
    for name, options, status in cases:
        activity = options.pop("activity", follow)
        if options.get("signature") == "":
            async with fed.http() as client:
                response = await client.post(
                    fed.inbox, json=activity, headers={"Content-Type": "application/activity+json"}
                )
        else:
            response = await remote.post(fed.inbox, activity, **options)
        assert response.status_code == status, (name, response.status_code, response.text)
        assert await fed.stored_rows() == (0, 0), name
    fed.configure("federation", blocked_domains=("0.0.1",))  # a substring of 127.0.0.1
    assert (await remote.post(fed.inbox, follow)).status_code == 401
    fed.configure("federation", blocked_domains=())
    unknown = {**follow, "type": "Flag"}
    assert (await remote.post(fed.inbox, unknown)).status_code == 202
    assert await fed.stored_rows() == (0, 0)
    assert not remote.deliveries
    await ws.no_event(wait=0.2)
    await ws.aclose()


async def test_the_remote_server_answers_webfinger(remote: RemoteServer):
    # For the outbound helpers (DMs, OTP): the remote resolves its accounts like Mastodon.
    host = f"127.0.0.1:{remote.port}"
    async with httpx.AsyncClient(base_url=remote.base) as client:
        found = await client.get(f"/.well-known/webfinger?resource=acct:bob@{host}")
        missing = await client.get("/.well-known/webfinger?resource=acct:bob@elsewhere")
    assert found.json()["links"][0]["href"] == remote.actor("bob")
    assert missing.status_code == 404

"""``POST /api/admin/notifications/test``: the go-live notifications sent now; with federation
on, the Fediverse channel's go-live Note reaches a follower (signature checked by apsig)."""

from __future__ import annotations

import time

from owncastd.core.federation.models import RemoteProfile
from tests.component.federation_fixtures import start_federated_server
from tests.federation_remote import RemoteServer


async def test_notifications_test_sends_the_go_live_post(tmp_path, nursery):
    remote = await RemoteServer().start(nursery)
    server = await start_federated_server(nursery, tmp_path)
    alice = RemoteProfile(remote.actor("alice"), remote.inbox_of("alice"))
    await server.fed.store.add_follower(alice, "{}", "", approved=True, now=time.time())
    async with server.http() as client:
        refused = await client.post("/api/admin/notifications/test")
    assert refused.status_code == 401
    sent = await server.admin("POST", "/api/admin/notifications/test")
    assert sent.status_code == 200
    body = sent.json()
    assert body["success"] is True
    assert body["message"] == "sent: fediverse; skipped: discord, browser push; failed: none"
    assert (body["sent"], body["skipped"], body["failed"]) == (
        ["fediverse"],
        ["discord", "browser push"],
        [],
    )
    assert sorted(body["channels"]) == ["browser push", "discord", "fediverse"]
    delivery = await remote.next_delivery()
    assert delivery.path == "/users/alice/inbox" and delivery.verified, delivery.problem
    note = delivery.activity["object"]
    assert note["content"].startswith("<p>I've gone live!</p>")  # the message, raw
    # A test is not a go-live moment: the real one after it is not held back.
    assert server.control.go_live is not None and server.control.go_live.sent == 0

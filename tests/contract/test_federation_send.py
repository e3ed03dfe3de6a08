"""``POST /api/admin/federation/send`` as Owncast answers it (develop §1.7–1.8): 400 "Federation
is disabled" while off, 400 "unable to send message" for a non-string value, else 200 "sent",
the Note stored in the outbox (not the live notification) and its Create delivered to the
follower's shared inbox, where an independent library (apsig) verifies our signature; then a
profile change sends the actor Update there."""

from __future__ import annotations

import json
import time

from owncastd.core.federation.models import RemoteProfile
from tests.component.federation_fixtures import start_federated_server
from tests.federation_remote import RemoteServer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def test_admin_send(tmp_path, nursery):
    remote = await RemoteServer().start(nursery)
    server = await start_federated_server(nursery, tmp_path, enabled=False)
    off = await server.admin("POST", "/api/admin/federation/send", json={"value": "hi"})
    assert (off.status_code, off.json()) == (
        400, {"success": False, "message": "Federation is disabled"}
    )  # fmt: skip
    server.configure("federation", enabled=True)
    bad = await server.admin("POST", "/api/admin/federation/send", json={"value": 3})
    assert (bad.status_code, bad.json()["message"]) == (400, "unable to send message")
    alice = RemoteProfile(remote.actor("alice"), remote.inbox_of("alice"), f"{remote.base}/inbox")
    await server.fed.store.add_follower(alice, "{}", "", approved=True, now=time.time())

    sent = await server.admin(
        "POST", "/api/admin/federation/send", json={"value": "Tonight: **#synth** jam"}
    )
    assert (sent.status_code, sent.json()) == (200, {"success": True, "message": "sent"})
    delivery = await remote.next_delivery()
    assert delivery.path == "/inbox" and delivery.verified, delivery.problem
    create = delivery.activity
    note = create["object"]
    assert create["type"] == "Create" and note["type"] == "Note"
    assert (note["to"], note["cc"]) == (PUBLIC, f"{server.actor}/followers")
    link = '<a class="hashtag" href="https://owncast.directory/tags/synth">#synth</a>'
    assert f"<strong>{link}</strong>" in note["content"]
    assert note["tag"] == [
        {"type": "Hashtag", "name": "#synth", "href": "https://owncast.directory/tags/synth"}
    ]
    assert "sensitive" not in note

    def stored(conn):
        return conn.execute("SELECT iri, value, live_notification FROM ap_outbox").fetchall()

    rows = await server.store.read(stored)
    assert [(r[0], json.loads(r[1]), r[2]) for r in rows] == [(note["id"], note, 0)]

    # A profile change (the name setter) sends the actor Update, as Owncast's setters do.
    renamed = await server.admin("POST", "/api/admin/config/name", json={"value": "New name"})
    assert renamed.status_code == 200
    update = await remote.next_delivery()
    assert update.verified, update.problem
    assert {k: v for k, v in update.activity.items() if k != "id"} == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Update",
        "actor": {"type": "Person", "id": server.actor},
        "object": server.actor,
        "cc": PUBLIC,
    }

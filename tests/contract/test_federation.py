"""Federation's routes as a Fediverse server sees them (develop §1.1–1.4, §1.7): 405 while off,
content negotiation, the actor, webfinger, host-meta, nodeinfo (checked against the nodeinfo
2.0 schema's rules), x-nodeinfo2, the instance summary, paged collections, objects, and the
follower admin routes with private mode."""

from __future__ import annotations

import time

import jsonschema
import pytest
from apsig.draft.verify import Verifier

from tests.component.federation_fixtures import AP_JSON, FederatedServer, start_federated_server
from tests.federation_remote import AS, RemoteServer

# The nodeinfo 2.0 schema's constraints (nodeinfo.diaspora.software/ns/schema/2.0), written out.
NODEINFO_20 = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "software", "protocols", "services", "openRegistrations", "usage",
                 "metadata"],
    "properties": {
        "version": {"enum": ["2.0"]},
        "software": {
            "type": "object", "additionalProperties": False, "required": ["name", "version"],
            "properties": {"name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                           "version": {"type": "string"}},
        },
        "protocols": {"type": "array", "minItems": 1, "items": {"enum": [
            "activitypub", "buddycloud", "dfrn", "diaspora", "libertree", "ostatus", "pumpio",
            "tent", "xmpp", "zot"]}},
        "services": {
            "type": "object", "additionalProperties": False, "required": ["inbound", "outbound"],
            "properties": {"inbound": {"type": "array"}, "outbound": {"type": "array"}},
        },
        "openRegistrations": {"type": "boolean"},
        "usage": {
            "type": "object", "required": ["users"],
            "properties": {
                "users": {"type": "object", "properties": {
                    k: {"type": "integer", "minimum": 0}
                    for k in ("total", "activeHalfyear", "activeMonth")}},
                "localPosts": {"type": "integer", "minimum": 0},
                "localComments": {"type": "integer", "minimum": 0},
            },
        },
        "metadata": {"type": "object"},
    },
}  # fmt: skip


@pytest.fixture(name="fed")
async def federated(tmp_path, nursery) -> FederatedServer:
    return await start_federated_server(nursery, tmp_path)


async def test_every_route_answers_405_with_an_empty_body_while_off(fed: FederatedServer):
    fed.configure("federation", enabled=False)
    for path in ("/.well-known/webfinger?resource=acct:streamer@x", "/.well-known/host-meta",
                 "/.well-known/nodeinfo", "/nodeinfo/2.0", "/.well-known/x-nodeinfo2",
                 "/api/v1/instance", "/federation/user/streamer",
                 "/federation/user/streamer/outbox", "/federation/abc"):  # fmt: skip
        response = await fed.get(path)
        assert (response.status_code, response.content) == (405, b""), path
    async with fed.http() as client:
        response = await client.post("/federation/user/streamer/inbox", json={})
        config = (await client.get("/api/config")).json()
    assert (response.status_code, response.content) == (405, b"")
    assert config["federation"] == {"enabled": False}


async def test_actor_document_and_negotiation(fed: FederatedServer):
    fed.configure("server", social_handles=(), tags=("music",))
    response = await fed.get("/federation/user/streamer")
    assert response.status_code == 200
    assert response.headers["content-type"] == AP_JSON
    actor = response.json()
    assert actor["id"] == actor["url"] == fed.actor == f"{fed.url}/federation/user/streamer"
    assert actor["type"] == "Service" and actor["preferredUsername"] == "streamer"
    assert actor["inbox"] == f"{fed.actor}/inbox" and actor["followers"] == f"{fed.actor}/followers"
    assert "endpoints" not in actor and "following" not in actor
    key = actor["publicKey"]
    assert key["id"] == f"{fed.actor}#main-key" and key["owner"] == fed.actor
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["manuallyApprovesFollowers"] is False and actor["discoverable"] is True
    assert actor["tag"] == {"type": "Hashtag", "name": "#music",
                            "href": "https://owncast.directory/tags/music"}  # fmt: skip
    assert actor["attachment"]["name"] == "Stream"  # one value: a scalar, as go-fed writes it
    assert actor["published"].endswith("Z")
    again = (await fed.get("/federation/user/streamer", accept="application/json")).json()
    assert again["publicKey"] == key and again["published"] == actor["published"]  # made once
    # The response is signed over its Digest only, as Owncast does; apsig verifies it.
    assert 'headers="digest"' in response.headers["signature"]
    Verifier(key["publicKeyPem"], "GET", str(response.url), dict(response.headers),
             response.content).verify(raise_on_fail=True)  # fmt: skip
    for accept in ("text/html", "application/ld+json"):
        redirect = await fed.get("/federation/user/streamer", accept=accept)
        assert (redirect.status_code, redirect.headers["location"]) == (307, "/"), accept
    profile = 'text/html, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    assert (await fed.get("/federation/user/streamer", accept=profile)).status_code == 200
    assert (await fed.get("/federation/user/someone")).status_code == 404
    assert (await fed.get("/federation/user/streamer/following")).status_code == 404
    assert (await fed.get("/federation/user/streamer/inbox")).status_code == 405


async def test_discovery_documents(fed: FederatedServer):
    host = f"127.0.0.1:{fed.port}"
    response = await fed.get(f"/.well-known/webfinger?resource=acct:streamer@{host}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jrd+json"
    jrd = response.json()
    assert jrd["subject"] == f"acct:streamer@{host}" and jrd["aliases"] == [fed.actor]
    assert jrd["links"][0] == {"rel": "self", "type": AP_JSON, "href": fed.actor}
    assert [link["rel"] for link in jrd["links"]][1:] == [
        "http://webfinger.net/rel/profile-page",
        "http://webfinger.net/rel/avatar",
        "alternate",
    ]
    for resource, status in ((f"acct:nobody@{host}", 404), ("acct:streamer@other.example", 501),
                             ("streamer@x", 400), ("acct:a@b@c", 400)):  # fmt: skip
        got = await fed.get(f"/.well-known/webfinger?resource={resource}")
        assert got.status_code == status, resource
    meta = await fed.get("/.well-known/host-meta")
    assert meta.headers["content-type"] == "text/xml; charset=utf-8"
    assert f'template="{fed.url}/.well-known/webfinger?resource={{uri}}"' in meta.text
    links = (await fed.get("/.well-known/nodeinfo")).json()
    assert links["links"][0]["href"] == f"{fed.url}/nodeinfo/2.0"
    nodeinfo = await fed.get("/nodeinfo/2.0")
    assert nodeinfo.headers["content-type"] == AP_JSON
    jsonschema.validate(nodeinfo.json(), NODEINFO_20)
    assert nodeinfo.json()["metadata"] == {"chat_enabled": True}
    x2 = (await fed.get("/.well-known/x-nodeinfo2")).json()
    assert x2["server"]["baseUrl"] == fed.url and x2["usage"]["localComments"] == 0
    instance = (await fed.get("/api/v1/instance")).json()
    assert instance["uri"] == fed.url and instance["stats"]["user_count"] == 1
    assert instance["version"].startswith("Owncast v")
    fed.configure("server", url="")
    assert (await fed.get("/.well-known/x-nodeinfo2")).status_code == 404
    assert (await fed.get("/api/v1/instance")).status_code == 404


async def test_outbox_paging_and_objects(fed: FederatedServer):
    now = time.time()
    for n in range(51):
        iri = f"{fed.url}/federation/note{n}"
        await fed.fed.store.add_outbox(iri, {"id": iri, "type": "Note", "n": n}, "Note", now + n)
    outbox = (await fed.get("/federation/user/streamer/outbox")).json()
    url = f"{fed.actor}/outbox"
    assert outbox == {"@context": AS, "id": url, "type": "OrderedCollection", "totalItems": 51,
                      "first": f"{url}?page=1"}  # fmt: skip
    first = (await fed.get("/federation/user/streamer/outbox?page=1")).json()
    assert first["type"] == "OrderedCollectionPage" and first["partOf"] == url
    assert len(first["orderedItems"]) == 50 and first["orderedItems"][0]["n"] == 50
    assert first["next"] == f"{url}?page=2"
    second = (await fed.get("/federation/user/streamer/outbox?page=2")).json()
    assert [o["n"] for o in second["orderedItems"]] == [0] and "next" not in second
    bad = await fed.get("/federation/user/streamer/outbox?page=x")
    # Owncast answers 500 with an empty body; ours is 400 (a client error, never a 500).
    assert (bad.status_code, bad.content) == (400, b"")
    note = await fed.get("/federation/note3")
    assert note.status_code == 200 and note.json()["n"] == 3
    assert (await fed.get("/federation/unknown")).status_code == 404
    fed.configure("federation", private=True)
    assert (await fed.get("/federation/note3")).status_code == 404


async def test_private_mode_pending_approve_block_and_actions(fed: FederatedServer, nursery):
    remote = await RemoteServer().start(nursery)
    fed.configure("federation", private=True)
    assert (await fed.get("/federation/user/streamer")).json()["manuallyApprovesFollowers"]
    follow = {"@context": AS, "id": f"{remote.actor()}/follows/1", "type": "Follow",
              "actor": remote.actor(), "object": fed.actor}  # fmt: skip
    assert (await remote.post(fed.inbox, follow)).status_code == 202
    pending = (await fed.admin("GET", "/api/admin/followers/pending")).json()
    assert [p["link"] for p in pending] == [remote.actor()]
    assert set(pending[0]) == {"link", "name", "username", "image", "timestamp", "disabledAt"}
    assert pending[0]["disabledAt"] is None
    assert (await fed.admin("GET", "/api/admin/followers")).json()["total"] == 0
    assert not remote.deliveries  # no Accept while pending

    missing = await fed.admin("POST", "/api/admin/followers/approve", json={"actorIRI": "x"})
    assert missing.status_code == 400
    assert missing.json()["message"] == "actorIRI and approved are required"
    unknown = {"actorIRI": "https://nobody.example/u", "approved": True}
    refused = await fed.admin("POST", "/api/admin/followers/approve", json=unknown)
    assert (refused.status_code, refused.json()["message"]) == (400, "follower not found")
    body = {"actorIRI": remote.actor(), "approved": True}
    approved = await fed.admin("POST", "/api/admin/followers/approve", json=body)
    assert approved.json() == {"success": True, "message": "follower updated"}
    accept = await remote.next_delivery()
    assert accept.verified and accept.activity["object"] == follow
    followers = (await fed.admin("GET", "/api/admin/followers?offset=0&limit=10")).json()
    assert followers["total"] == 1 and followers["results"][0]["link"] == remote.actor()
    assert (await fed.admin("GET", "/api/admin/followers?limit=x")).status_code == 400

    body["approved"] = False
    await fed.admin("POST", "/api/admin/followers/approve", json=body)
    blocked = (await fed.admin("GET", "/api/admin/followers/blocked")).json()
    assert blocked[0]["link"] == remote.actor() and blocked[0]["disabledAt"] is not None
    assert (await remote.post(fed.inbox, follow)).status_code == 401  # a blocked actor
    actions = (await fed.admin("GET", "/api/admin/federation/actions?offset=0&limit=1")).json()
    assert actions["total"] == 1 and actions["results"][0]["type"] == "FEDIVERSE_ENGAGEMENT_FOLLOW"
    assert set(actions["results"][0]) == {"iri", "actorIRI", "type", "timestamp"}
    later = (await fed.admin("GET", "/api/admin/federation/actions?offset=1&limit=1")).json()
    assert later["results"] == []  # offset is a page number: 1 × limit skips the only row
    removed = await fed.admin("POST", "/api/admin/followers/remove", json=body)
    assert removed.json() == {"success": True, "message": "follower removed"}
    assert (await fed.admin("GET", "/api/admin/followers/blocked")).json() == []

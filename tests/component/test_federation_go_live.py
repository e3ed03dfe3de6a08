"""The go-live Note (develop §1.8): its content and tags, stored in the outbox as the live
notification, and its Create delivered (signed) once per distinct inbox of the approved
followers, through the running server's delivery queue."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import trio

from owncastd.core.federation.models import RemoteProfile
from owncastd.core.federation.notes import FediverseGoLive, go_live_content
from owncastd.federation.httpsig import parse_signature, verify_request
from tests.component.app_fixtures import default_settings
from tests.component.federation_fixtures import start_federated_server
from tests.component.webhook_receiver import WebhookReceiver

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def test_go_live_content_is_owncasts():
    settings = default_settings()
    settings = settings.__class__(
        **{
            **settings.__dict__,
            "server": settings.server.__class__(
                **{
                    **settings.server.__dict__,
                    "url": "https://live.example",
                    "stream_title": "Build <b>night</b>",
                    "tags": ("c++", "game dev"),
                }
            ),
        }
    )
    assert go_live_content(settings) == (
        "<p>I've gone live!</p><p>Build <b>night</b></p>"
        '<p><a class="hashtag" href="https://owncast.directory/tags/c">#c</a> '
        '<a class="hashtag" href="https://owncast.directory/tags/gamedev">#gamedev</a></p>'
        '<p><a href="https://live.example">https://live.example</a></p>'
    )


async def _preview() -> str:
    return "preview.gif"  # the stream's preview exists


async def test_go_live_note_reaches_each_follower_inbox_once(tmp_path, nursery):
    remote = await WebhookReceiver().start(nursery)
    server = await start_federated_server(nursery, tmp_path)
    server.configure("server", nsfw=True, tags=("music",), stream_title="Live set")
    base = f"http://127.0.0.1:{remote.port}"
    followers = [  # two on one instance share its shared inbox; one without; one pending
        RemoteProfile(f"{base}/users/a", f"{base}/users/a/inbox", f"{base}/inbox"),
        RemoteProfile(f"{base}/users/b", f"{base}/users/b/inbox", f"{base}/inbox"),
        RemoteProfile(f"{base}/users/c", f"{base}/users/c/inbox"),
        RemoteProfile(f"{base}/users/d", f"{base}/users/d/inbox"),
    ]
    for i, profile in enumerate(followers):
        await server.fed.store.add_follower(profile, "{}", "", approved=i < 3, now=time.time())
    registered = server.control.go_live._channels  # the wiring registered it
    assert "fediverse" in [channel.name for channel in registered]
    assert server.fed.deliveries is not None
    channel = FediverseGoLive(
        lambda: server.core.settings.current,
        server.fed.store,
        server.fed.deliveries,
        lambda: datetime.now(UTC),
        image=_preview,
    )
    await channel.announce()
    with trio.fail_after(10):
        got = [await remote.next(), await remote.next()]
    assert sorted(r.path for r in got) == ["/inbox", "/users/c/inbox"]
    key = (await server.fed.keys.key()).private.public_key()  # type: ignore[attr-defined]
    for request in got:
        params = parse_signature(request.headers["signature"])
        assert params.key_id == f"{server.actor}#main-key"
        verify_request(
            params, key, "POST", request.path, request.headers, request.body, time.time()
        )
    create = got[0].json()
    note = create["object"]
    assert create["type"] == "Create" and create["actor"] == server.actor
    assert (create["to"], create["cc"]) == (PUBLIC, f"{server.actor}/followers")
    assert (note["to"], note["cc"]) == (PUBLIC, f"{server.actor}/followers")
    assert note["attributedTo"] == server.actor and note["sensitive"] is True
    assert "<p>Live set</p>" in note["content"]
    assert [t["name"] for t in note["tag"]] == ["#music", "#owncast"]
    image = note["attachment"]
    assert image["url"].startswith(f"{server.url}/preview.gif?us=")
    assert (image["type"], image["mediaType"], image["name"]) == (
        "Image", "image/gif", "Live stream preview"
    )  # fmt: skip

    def stored(conn):
        return conn.execute("SELECT iri, value, live_notification FROM ap_outbox").fetchall()

    rows = await server.store.read(stored)
    assert [(r[0], json.loads(r[1]), r[2]) for r in rows] == [(note["id"], note, 1)]
    await remote.nothing(0.3)  # the pending follower and the duplicate shared inbox: nothing

"""`owncastctl followers …`, `federation post|actions` and `notifications test` against the fake
daemon answering with Owncast's shapes (develop §1.7, §3)."""

from __future__ import annotations

import httpx
import pytest

from tests.ctl.conftest import SERVER_CONFIG

ALICE = {
    "link": "https://mastodon.example/users/alice",
    "name": "Alice",
    "username": "alice@mastodon.example",
    "image": "https://mastodon.example/avatars/alice.png",
    "timestamp": "2026-03-01T18:00:00Z",
    "disabledAt": None,
}
CAROL = {**ALICE, "link": "https://social.example/users/carol", "name": "Carol",
         "username": "carol@social.example"}  # fmt: skip
ALICE2 = {**ALICE, "link": "https://other.example/users/alice", "username": "alice@other.example"}
MALLORY = {**ALICE, "link": "https://spam.example/users/mallory", "name": "M",
           "username": "mallory@spam.example", "disabledAt": "2026-03-02T09:00:00Z"}  # fmt: skip
ACTIONS = {
    "total": 3,
    "results": [
        {"iri": "https://ours.example/federation/abc", "actorIRI": ALICE["link"],
         "type": "FEDIVERSE_ENGAGEMENT_LIKE", "timestamp": "2026-03-01T18:05:00Z"},
        {"iri": "https://ours.example/federation/abc", "actorIRI": CAROL["link"],
         "type": "FEDIVERSE_ENGAGEMENT_REPOST", "timestamp": "2026-03-01T18:04:00Z"},
    ],
}  # fmt: skip
APPROVE = "/api/admin/followers/approve"
SEND = "/api/admin/federation/send"
CONFIG = "/api/admin/serverconfig"
WITH_URL = {**SERVER_CONFIG, "yp": {"enabled": False, "instanceUrl": "https://ours.example"}}


@pytest.fixture(autouse=True)
def federation_routes(fake):
    fake.route("GET", "/api/admin/followers", {"total": 1, "results": [CAROL]})
    fake.route("GET", "/api/admin/followers/pending", [ALICE, ALICE2])
    fake.route("GET", "/api/admin/followers/blocked", [MALLORY])
    fake.route("POST", APPROVE, {"success": True, "message": "follower updated"})
    fake.route("POST", SEND, {"success": True, "message": "sent"})
    fake.route("GET", "/api/admin/federation/actions", ACTIONS)
    fake.route("GET", CONFIG, WITH_URL)


def test_list_the_three_lists(fake, ctl):
    result = ctl("followers", "list")
    assert result.exit_code == 0, result.stderr
    assert "1 follower(s)" in result.stdout
    assert "carol@social.example" in result.stdout and "Carol" in result.stdout
    assert "alice@" not in result.stdout
    assert ctl("followers", "list", "--json").json() == {"total": 1, "results": [CAROL]}
    query = fake.requests[-1].url.params
    assert (query["offset"], query["limit"]) == ("0", "50")

    result = ctl("followers", "list", "--pending")
    assert result.exit_code == 0, result.stderr
    assert "2 follow request(s)" in result.stdout
    assert "alice@mastodon.example" in result.stdout and "alice@other.example" in result.stdout
    assert ctl("followers", "list", "--pending", "--json").json() == [ALICE, ALICE2]

    result = ctl("followers", "list", "--blocked")
    assert result.exit_code == 0, result.stderr
    assert "mallory@spam.example" in result.stdout and "blocked" in result.stdout
    assert ctl("followers", "list", "--blocked", "--json").json() == [MALLORY]

    result = ctl("followers", "list", "--pending", "--blocked")
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


def test_approve_by_account_or_iri(fake, ctl):
    result = ctl("followers", "approve", "@Alice@Mastodon.example")
    assert result.exit_code == 0, result.stderr
    assert "alice@mastodon.example approved" in result.stdout
    result = ctl("followers", "approve", ALICE2["link"])
    assert result.exit_code == 0, result.stderr
    read = {r.url.path for r in fake.requests if r.method == "GET"}
    assert read == {"/api/admin/followers/pending"}  # approving reads only the requests
    assert fake.sent("POST", APPROVE) == [
        {"actorIRI": ALICE["link"], "approved": True},
        {"actorIRI": ALICE2["link"], "approved": True},
    ]


def test_ambiguous_unknown_and_misplaced_names_send_nothing(fake, ctl):
    result = ctl("followers", "approve", "alice")
    assert result.exit_code == 2
    assert "matches 2 accounts" in result.stderr and "alice@other.example" in result.stderr

    result = ctl("followers", "approve", "nobody@nowhere.example")
    assert result.exit_code == 1
    assert "no follow request matches 'nobody@nowhere.example'" in result.stderr

    result = ctl("followers", "approve", "carol")  # a follower already, not a request
    assert result.exit_code == 1 and "it is an approved follower" in result.stderr

    result = ctl("followers", "block", "mallory@spam.example", "--yes")
    assert result.exit_code == 1 and "blocked already" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.sent("POST", APPROVE) == []


def test_reject_and_block_send_approved_false_after_confirmation(fake, ctl):
    result = ctl("followers", "reject", "alice@other.example")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert fake.sent("POST", APPROVE) == []

    result = ctl("followers", "reject", "alice@other.example", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "alice@other.example rejected" in result.stdout
    result = ctl("followers", "block", "carol", "--yes")  # an approved follower
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", APPROVE) == [
        {"actorIRI": ALICE2["link"], "approved": False},
        {"actorIRI": CAROL["link"], "approved": False},
    ]
    assert "approved=false" in ctl("followers", "reject", "--help").stdout


def test_matching_reads_every_page_of_followers(fake, ctl):
    people = [
        {**CAROL, "link": f"https://x.example/u/{i}", "username": f"u{i}@x.example"}
        for i in range(150)
    ]

    def paged(request: httpx.Request) -> dict:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        return {"total": len(people), "results": people[offset : offset + limit]}

    fake.route("GET", "/api/admin/followers", paged)
    result = ctl("followers", "block", "u149@x.example", "--yes")
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", APPROVE) == [{"actorIRI": people[149]["link"], "approved": False}]


def test_federation_post(fake, ctl):
    result = ctl("federation", "post", "Live now! #music")
    assert result.exit_code == 0, result.stderr
    assert "posted" in result.stdout
    assert fake.sent("POST", SEND) == [{"value": "Live now! #music"}]

    result = ctl("federation", "post", "  ")
    assert result.exit_code == 2 and len(fake.sent("POST", SEND)) == 1

    fake.fail("POST", SEND, 400, "Federation is disabled")
    result = ctl("federation", "post", "hello")
    assert result.exit_code == 1
    assert "federation is disabled on this server" in result.stderr
    assert "config set federation.enabled true" in result.stderr
    assert "Traceback" not in result.stderr

    fake.fail("POST", SEND, 400, "unable to send message")
    result = ctl("federation", "post", "hello")
    assert result.exit_code == 1 and "unable to send message" in result.stderr


def test_no_server_url_no_post_and_a_warning_when_federation_is_turned_on(fake, ctl):
    """Owncast takes both without a server URL, but the post would be stored with relative
    addresses (`/federation/…`) and no fediverse server could find the account: owncastctl
    sends no post and says how to set the URL."""
    fake.route("GET", CONFIG, SERVER_CONFIG)  # yp.instanceUrl is ""
    result = ctl("federation", "post", "hello")
    assert result.exit_code == 1
    assert "server.url is not set" in result.stderr
    assert "owncastctl config set server.url https://" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.sent("POST", SEND) == []

    setter = "/api/admin/config/federation/enable"
    fake.route("POST", setter, {"success": True, "message": "changed"})
    result = ctl("config", "set", "federation.enabled", "true")
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", setter) == [{"value": True}]
    assert "server.url is not set" in result.stderr and "config set server.url" in result.stderr

    fake.route("GET", CONFIG, WITH_URL)
    result = ctl("config", "set", "federation.enabled", "true")
    assert result.exit_code == 0 and "server.url" not in result.stderr
    result = ctl("config", "set", "federation.enabled", "false")
    assert result.exit_code == 0 and "server.url" not in result.stderr


def test_federation_actions_pages_as_owncast(fake, ctl):
    result = ctl("federation", "actions")
    assert result.exit_code == 0, result.stderr
    assert "3 activities" in result.stdout
    assert "like" in result.stdout and "boost" in result.stdout
    assert ALICE["link"] in result.stdout
    result = ctl("federation", "actions", "--limit", "2", "--page", "1", "--json")
    assert result.json() == ACTIONS
    query = fake.requests[-1].url.params
    assert (query["offset"], query["limit"]) == ("1", "2")  # offset is Owncast's page number


def test_notifications_test(fake, ctl):
    path = "/api/admin/notifications/test"
    fake.route("POST", path, {"success": True, "message": "sent to discord and 2 browsers"})
    result = ctl("notifications", "test")
    assert result.exit_code == 0, result.stderr
    assert "sent to discord and 2 browsers" in result.stdout
    assert len(fake.sent("POST", path)) == 1

    fake.fail("POST", path, 400, "no notification channel is configured")
    result = ctl("notifications", "test")
    assert result.exit_code == 1
    assert "no notification channel is configured" in result.stderr

    del fake.routes[("POST", path)]  # Owncast itself has no such route
    result = ctl("notifications", "test")
    assert result.exit_code == 1
    assert "has no POST /api/admin/notifications/test (404)" in result.stderr


def test_notifications_test_shows_each_channels_outcome(fake, ctl):
    path = "/api/admin/notifications/test"
    answer = {
        "success": True,
        "message": "sent: none; skipped: discord, browser push, fediverse; failed: none",
        "channels": ["discord", "browser push", "fediverse"],
        "sent": [],
        "skipped": ["discord", "browser push", "fediverse"],
        "failed": [],
    }
    fake.route("POST", path, answer)
    result = ctl("notifications", "test")
    assert result.exit_code == 0, result.stderr
    assert "✓" not in result.stdout
    assert "nothing sent: no notification channel is on" in result.stderr
    assert "skipped (off): discord, browser push, fediverse" in result.stdout
    assert ctl("notifications", "test", "--json").json() == answer

    fake.route(
        "POST", path, {**answer, "sent": ["fediverse"], "skipped": [], "failed": ["discord"]}
    )
    result = ctl("notifications", "test")
    assert result.exit_code == 1
    assert "✓ sent: fediverse" in result.stdout
    assert "discord failed" in result.stderr
    assert "owncastctl logs --warnings" in result.stderr  # where to look, as a command


def test_reads_need_the_admin_password(fake, ctl):
    result = ctl("followers", "list", password="wrong")
    assert result.exit_code == 1 and "refused the admin password" in result.stderr

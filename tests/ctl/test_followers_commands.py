"""`owncastctl followers list|approve|reject|block` over the admin follower routes."""

from __future__ import annotations

import pytest

ALICE = {
    "link": "https://m.example/users/alice",
    "name": "Alice",
    "username": "alice@m.example",
    "image": "",
    "timestamp": "2026-03-01T18:00:00Z",
    "disabledAt": None,
}
BOB = {**ALICE, "link": "https://b.example/users/bob", "username": "bob@b.example", "name": "Bob"}
EVE = {**ALICE, "link": "https://e.example/users/eve", "username": "eve@e.example",
       "disabledAt": "2026-03-02T10:00:00Z"}  # fmt: skip


@pytest.fixture(autouse=True)
def follower_routes(fake):
    fake.route("GET", "/api/admin/followers", {"total": 1, "results": [ALICE]})
    fake.route("GET", "/api/admin/followers/pending", [BOB])
    fake.route("GET", "/api/admin/followers/blocked", [EVE])
    fake.route("POST", "/api/admin/followers/approve", {"success": True, "message": "ok"})


def test_list_shows_followers_pending_and_blocked(ctl):
    result = ctl("followers", "list")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Followers (1)" in out and "alice@m.example" in out
    assert "Waiting for approval (1)" in out and "bob@b.example" in out
    assert "Blocked (1)" in out and "eve@e.example" in out
    assert ctl("followers", "list", "--json").json() == {
        "followers": {"total": 1, "results": [ALICE]},
        "pending": [BOB],
        "blocked": [EVE],
    }


@pytest.mark.parametrize(("command", "approved"), [("approve", True), ("reject", False),
                                                   ("block", False)])  # fmt: skip
def test_approve_reject_block_send_the_actor(fake, ctl, command, approved):
    result = ctl("followers", command, BOB["link"])
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", "/api/admin/followers/approve") == [
        {"actorIRI": BOB["link"], "approved": approved}
    ]


def test_a_refusal_is_one_red_line(fake, ctl):
    fake.fail("POST", "/api/admin/followers/approve", 400, "follower not found")
    result = ctl("followers", "approve", "https://nobody.example/u")
    assert result.exit_code == 1 and "follower not found" in result.stderr
    assert "Traceback" not in result.stderr

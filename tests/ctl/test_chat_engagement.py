"""`chat tail` with Fediverse engagement: the rows the admin history keeps (Owncast's stored
shape, no user) and the live events print as one readable line each, once; `--json` keeps the
raw shape."""

from __future__ import annotations

import json

from tests.ctl.conftest import MESSAGES
from tests.ctl.test_follow import Connector, frame, no_sleep

__all__ = ["no_sleep"]

STORED_LIKE = {  # as /api/admin/chat/messages lists it
    "type": "FEDIVERSE_ENGAGEMENT_LIKE",
    "id": "f1",
    "timestamp": "2024-05-01T12:03:00Z",
    "body": "Alice Remote  liked a post from Owncast.",
    "image": None,
    "link": "https://example.social/users/alice",
    "title": "alice@example.social",
}
LIVE_FOLLOW = {  # as the websocket sends it
    "type": "FEDIVERSE_ENGAGEMENT_FOLLOW",
    "id": "f2",
    "timestamp": "2024-05-01T12:04:00Z",
    "body": "<b>Bob</b>  followed this stream.",
    "image": "https://b.example/bob.png",
    "title": "bob@b.example",
    "link": "https://b.example/users/bob",
    "user": {"displayName": "Owncast"},
}
LIKE_LINE = "⁂ Alice Remote (alice@example.social) liked a post from Owncast."
BARE = {"type": "FEDIVERSE_ENGAGEMENT_REPOST", "id": "f3", "timestamp": "2024-05-01T12:05:00Z"}


def test_chat_tail_prints_engagement_rows_readably(fake, ctl):
    fake.route("GET", "/api/admin/chat/messages", [BARE, STORED_LIKE, *MESSAGES])
    result = ctl("chat", "tail", "--ids")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert f"{LIKE_LINE}  f1" in lines[2]
    assert "⁂ someone shared a post.  f3" in lines[3]  # a row without body or title

    raw = ctl("chat", "tail", "--json")
    rows = [json.loads(line) for line in raw.stdout.splitlines()]
    assert rows[2] == STORED_LIKE and rows[3] == BARE


def test_chat_tail_follow_prints_engagement_once(fake, ctl, no_sleep):
    fake.route("POST", "/api/chat/register", {"accessToken": "t"})
    fake.route("GET", "/api/admin/chat/messages", [STORED_LIKE])  # re-read on each connection
    connector = Connector(
        [frame(LIVE_FOLLOW, STORED_LIKE)], ConnectionResetError(), [frame(LIVE_FOLLOW)],
        KeyboardInterrupt(),
    )  # fmt: skip
    result = ctl("chat", "tail", "-f", ws_connect=connector)
    assert result.exit_code == 0, result.stderr
    engagement = [line for line in result.stdout.splitlines() if "⁂" in line]
    assert len(engagement) == 2
    assert engagement[0].endswith(LIKE_LINE)
    assert engagement[1].endswith("⁂ Bob (bob@b.example) followed this stream.")

"""`owncastctl replays list|show|delete|export` over the admin replay routes."""

from __future__ import annotations

import pytest

REPLAY = {
    "id": "0a1b2c3d4e5f",
    "title": "Friday jam",
    "startedAt": "2026-03-01T18:00:00.000Z",
    "endedAt": "2026-03-01T19:02:03.000Z",
    "duration": 3723.0,
    "peakViewers": 12,
    "playlistUrl": "/replays/0a1b2c3d4e5f/stream.m3u8",
    "thumbnailUrl": "/replays/0a1b2c3d4e5f/thumbnail.jpg",
    "downloadUrl": None,
    "recording": False,
    "published": True,
    "variants": 1,
    "sizeBytes": 123_400_000,
}
LIVE = {**REPLAY, "id": "ffffffffffff", "title": "Now", "endedAt": None, "recording": True}
LISTING = {"replays": [LIVE, REPLAY], "recording": LIVE["id"], "problem": "disk nearly full"}
PATH = f"/api/admin/replays/{REPLAY['id']}"


@pytest.fixture(autouse=True)
def replay_routes(fake):
    fake.route("GET", "/api/admin/replays", LISTING)
    fake.route("DELETE", PATH, {"success": True, "message": "replay deleted"})
    fake.route("POST", f"{PATH}/export", {**REPLAY, "downloadUrl": "/replays/x/replay.mp4"})


def test_list_and_show(ctl):
    result = ctl("replays", "list")
    assert result.exit_code == 0, result.stderr
    assert "0a1b2c3d4e5f" in result.stdout and "Friday jam" in result.stdout
    assert "1h 02m 03s" in result.stdout and "123.4 MB" in result.stdout
    assert "recording" in result.stdout and "public" in result.stdout
    assert "disk nearly full" in result.stdout + result.stderr
    assert ctl("replays", "list", "--json").json() == LISTING

    result = ctl("replays", "show", REPLAY["id"])
    assert result.exit_code == 0, result.stderr
    assert "peak viewers: 12" in result.stdout
    assert "not exported" in result.stdout
    assert ctl("replays", "show", REPLAY["id"], "--json").json() == REPLAY


def test_unknown_id_is_one_red_line(ctl):
    result = ctl("replays", "show", "123456789abc")
    assert result.exit_code == 1
    assert "no replay '123456789abc'" in result.stderr
    assert "Traceback" not in result.stderr


def test_delete_and_export(fake, ctl):
    result = ctl("replays", "delete", REPLAY["id"], "--yes")
    assert result.exit_code == 0, result.stderr
    assert len(fake.sent("DELETE", PATH)) == 1
    result = ctl("replays", "export", REPLAY["id"])
    assert result.exit_code == 0, result.stderr
    assert "/replays/x/replay.mp4" in result.stdout
    assert ctl("replays", "export", REPLAY["id"], "--json").json()["downloadUrl"]

    fake.fail("POST", f"{PATH}/export", 500, "export failed: ffmpeg exited with status 1")
    result = ctl("replays", "export", REPLAY["id"])
    assert result.exit_code == 1
    assert "export failed: ffmpeg exited with status 1" in result.stderr


def test_delete_without_a_terminal_needs_yes(fake, ctl):
    result = ctl("replays", "delete", REPLAY["id"])
    assert result.exit_code == 2
    assert fake.sent("DELETE", PATH) == []

"""Replay routes (issue 14; Owncast has none, so they answer in Owncast's shapes): public only
while `[replays] public` is on (404 otherwise, nothing advertised), admin routes behind Basic
auth, JSON shapes, content types and cache headers."""

from __future__ import annotations

import pytest

from tests.component.replay_fixtures import ReplayHarness, replay_app_fixture  # noqa: F401

NOT_FOUND = {"success": False, "message": "not found"}
PUBLIC_KEYS = {
    "id", "title", "startedAt", "endedAt", "duration", "peakViewers", "playlistUrl",
    "thumbnailUrl", "downloadUrl",
}  # fmt: skip
ADMIN_KEYS = PUBLIC_KEYS | {"recording", "published", "variants", "sizeBytes"}


async def test_nothing_is_public_while_replays_are_not(replay_app: ReplayHarness):
    replay = await replay_app.add("Tuesday jam")
    for path in (
        "/api/replays",
        f"/replays/{replay.id}/stream.m3u8",
        f"/replays/{replay.id}/0/stream.m3u8",
        f"/replays/{replay.id}/0/seg-0.ts",
        f"/replays/{replay.id}/thumbnail.jpg",
    ):
        response, body = await replay_app.request("GET", path)
        assert (response.status_code, body) == (404, NOT_FOUND), path


async def test_public_list_and_vod_files(replay_app: ReplayHarness):
    old = await replay_app.add("Old jam", hours_ago=30, peak_viewers=7)
    new = await replay_app.add("New jam", hours_ago=2)
    hidden = await replay_app.add("Hidden jam", published=False)
    replay_app.make_public()

    response, body = await replay_app.request("GET", "/api/replays")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    assert [r["id"] for r in body] == [new.id, old.id]  # newest first, unpublished left out
    assert set(body[1]) == PUBLIC_KEYS
    assert body[1] == {
        "id": old.id,
        "title": "Old jam",
        "startedAt": "2026-02-28T06:30:15.250Z",  # the harness's wall clock, 30 hours ago
        "endedAt": "2026-02-28T06:30:19.250Z",
        "duration": 4.0,
        "peakViewers": 7,
        "playlistUrl": f"/replays/{old.id}/stream.m3u8",
        "thumbnailUrl": f"/replays/{old.id}/thumbnail.jpg",
        "downloadUrl": None,
    }

    response, master = await replay_app.request("GET", body[1]["playlistUrl"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/x-mpegURL")
    assert b"0/stream.m3u8" in master
    response, variant = await replay_app.request("GET", f"/replays/{old.id}/0/stream.m3u8")
    assert b"#EXT-X-PLAYLIST-TYPE:VOD" in variant
    assert variant.rstrip().endswith(b"#EXT-X-ENDLIST")
    assert "no-cache" in response.headers["Cache-Control"]
    response, segment = await replay_app.request("GET", f"/replays/{old.id}/0/seg-1.ts")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "video/mp2t"
    assert "immutable" in response.headers["Cache-Control"]
    assert len(segment) == 2 * 188
    response, _ = await replay_app.request("GET", f"/replays/{old.id}/thumbnail.jpg")
    assert response.headers["Content-Type"] == "image/jpeg"

    for path in (
        f"/replays/{hidden.id}/stream.m3u8",  # unpublished
        f"/replays/{old.id}/replay.mp4",  # not exported
        f"/replays/{old.id}/../owncast.db",
        f"/replays/{old.id}/0/.hidden.ts",
        f"/replays/{old.id}/owncast.toml",
        "/replays/ffffffffffff/stream.m3u8",
        "/replays/NOT-AN-ID/stream.m3u8",
    ):
        response, body = await replay_app.request("GET", path)
        assert (response.status_code, body) == (404, NOT_FOUND), path


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/replays"),
        ("GET", "/api/admin/replays/000000000001"),
        ("PATCH", "/api/admin/replays/000000000001"),
        ("DELETE", "/api/admin/replays/000000000001"),
        ("POST", "/api/admin/replays/000000000001/export"),
        ("GET", "/api/admin/replays/000000000001/download"),
    ],
)
async def test_admin_routes_need_the_admin(replay_app: ReplayHarness, method: str, path: str):
    replay = await replay_app.add("Jam")
    response, _ = await replay_app.request(method, path, json={"title": "x"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert await replay_app.replays.library.get(replay.id) == replay  # nothing changed


async def test_admin_list_rename_publish_and_delete(replay_app: ReplayHarness):
    replay = await replay_app.add("Jam", published=False)
    response, body = await replay_app.request("GET", "/api/admin/replays", auth=True)
    assert response.status_code == 200
    assert set(body) == {"replays", "recording", "problem"}
    assert (body["recording"], body["problem"]) == (None, None)
    (shown,) = body["replays"]
    assert set(shown) == ADMIN_KEYS
    assert shown["published"] is False and shown["recording"] is False
    assert shown["sizeBytes"] == replay.size_bytes > 0

    path = f"/api/admin/replays/{replay.id}"
    response, body = await replay_app.request(
        "PATCH", path, auth=True, json={"title": " Friday jam ", "published": True}
    )
    assert response.status_code == 200
    assert (body["title"], body["published"]) == ("Friday jam", True)
    _, body = await replay_app.request("GET", path, auth=True)
    assert body["title"] == "Friday jam"

    refusals = [
        ({"title": ""}, "title must be a non-empty string of at most 200"),
        ({"title": "x" * 201}, "title must be a non-empty string of at most 200"),
        ({"published": "yes"}, "published must be true or false"),
        ({"colour": "red"}, "unknown field 'colour' (title, published)"),
        ({}, "nothing to change (title, published)"),
    ]
    for payload, message in refusals:
        response, body = await replay_app.request("PATCH", path, auth=True, json=payload)
        assert (response.status_code, body) == (400, {"success": False, "message": message})
    _, body = await replay_app.request("GET", path, auth=True)
    assert (body["title"], body["published"]) == ("Friday jam", True)  # nothing half-applied

    directory = replay_app.replays.library.files.path(replay.id)
    assert directory.is_dir()
    response, body = await replay_app.request("DELETE", path, auth=True)
    assert (response.status_code, body) == (200, {"success": True, "message": "replay deleted"})
    assert not directory.exists()
    missing = {"success": False, "message": "no such replay"}
    for method in ("GET", "DELETE", "PATCH"):
        response, body = await replay_app.request(method, path, auth=True, json={"title": "x"})
        assert (response.status_code, body) == (404, missing), method


async def test_export_failure_and_download_before_export(replay_app: ReplayHarness):
    replay = await replay_app.add("Jam")  # its segments are not video: ffmpeg refuses them
    response, body = await replay_app.request(
        "GET", f"/api/admin/replays/{replay.id}/download", auth=True
    )
    assert (response.status_code, body) == (404, NOT_FOUND)
    response, body = await replay_app.request(
        "POST", f"/api/admin/replays/{replay.id}/export", auth=True
    )
    assert response.status_code == 500
    assert body["success"] is False and body["message"].startswith("export failed: ffmpeg")
    assert "Traceback" not in body["message"]
    assert not replay_app.replays.library.files.exists(replay.id, "replay.mp4")


async def test_a_recording_in_progress_is_neither_listed_nor_deletable(
    replay_app: ReplayHarness,
):
    replay = await replay_app.add("Live now")
    await replay_app.replays.library.repository.update(replay.id, ended_at=None)
    replay_app.make_public()
    _, body = await replay_app.request("GET", "/api/replays")
    assert body == []
    response, _ = await replay_app.request("GET", f"/replays/{replay.id}/0/stream.m3u8")
    assert response.status_code == 404
    for method, suffix in (("DELETE", ""), ("POST", "/export")):
        response, body = await replay_app.request(
            method, f"/api/admin/replays/{replay.id}{suffix}", auth=True
        )
        assert (response.status_code, body) == (
            409,
            {"success": False, "message": "the replay is still being recorded"},
        )


async def test_clip_routes_refuse_what_they_cannot_cut(replay_app: ReplayHarness):
    replay = await replay_app.add("Jam")  # 4 s of (fake) segments
    path = f"/api/replays/{replay.id}/clip"
    response, body = await replay_app.request("POST", path, json={"duration": 3})
    assert (response.status_code, body) == (404, NOT_FOUND)  # not public
    response, body = await replay_app.request("POST", "/api/replays/live/clip", json={})
    assert (response.status_code, body) == (404, NOT_FOUND)

    replay_app.make_public()
    response, body = await replay_app.request("POST", "/api/replays/live/clip", json={})
    assert (response.status_code, body) == (404, NOT_FOUND)  # nothing being recorded
    too_long = "duration must be a number of seconds from 1 to 120"
    refusals = [
        ({}, too_long),
        ({"duration": 0.5}, too_long),
        ({"duration": 121}, too_long),
        ({"duration": True}, too_long),
        ({"duration": "3"}, too_long),
        ({"duration": 3, "start": -1}, "start must be a number of seconds from 0"),
        ({"duration": 3, "start": 4}, "start must be before the end of the recording (4.0 s)"),
        ({"duration": 3, "end": 4}, "unknown field 'end' (start, duration)"),
    ]
    for payload, message in refusals:
        response, body = await replay_app.request("POST", path, json=payload)
        assert (response.status_code, body) == (400, {"success": False, "message": message})
    response, body = await replay_app.request("POST", path, json={"duration": 2, "start": 1})
    assert response.status_code == 500  # the fake segments are no video
    assert body["message"].startswith("clip failed: ffmpeg")
    recording = replay_app.replays.library.files.path(replay.id)
    assert list((recording / "clips").iterdir()) == []  # no clip, no partial file
    assert not list((recording / "0").glob(".clip-*"))
    response, _ = await replay_app.request(
        "POST", f"/api/admin/replays/{replay.id}/clip", json={"duration": 2}
    )
    assert response.status_code == 401

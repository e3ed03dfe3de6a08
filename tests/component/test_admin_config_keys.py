"""`GET /api/admin/config/keys`: the settings table as JSON for owncastctl and scripts."""

from __future__ import annotations

import json

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401


async def test_config_keys_needs_the_admin(admin: AdminHarness):
    response, _ = await admin.get("/api/admin/config/keys", auth=False)
    assert response.status_code == 401
    response, rows = await admin.get("/api/admin/config/keys")
    assert response.status_code == 200 and isinstance(rows, list)


async def test_config_keys_describes_each_key(admin: AdminHarness):
    _, rows = await admin.get("/api/admin/config/keys")
    by_key = {row["key"]: row for row in rows}
    assert by_key["video.latency_level"] == {
        "key": "video.latency_level",
        "type": "integer",
        "default": 2,
        "applies": "next stream",
        "secret": False,
        "setter": "video/streamlatencylevel",
        "field": "",
        "shown": "videoSettings.latencyLevel",
        "doc": by_key["video.latency_level"]["doc"],
        "supported": True,
        "feature": "",
        "min": 0,
        "max": 4,
    }
    assert by_key["video.latency_level"]["doc"]
    assert by_key["s3.bucket"]["setter"] == "s3" and by_key["s3.bucket"]["field"] == "bucket"
    assert by_key["web.port"]["applies"] == "restart"
    assert by_key["paths.database"]["setter"] == ""
    assert by_key["server.tags"]["default"] == ["owncast", "streaming"]


async def test_config_keys_never_shows_secrets(admin: AdminHarness):
    _, rows = await admin.get("/api/admin/config/keys")
    secret = {row["key"]: row for row in rows if row["secret"]}
    assert {"admin.password_hash", "rtmp.stream_keys", "s3.secret"} <= secret.keys()
    assert all(row["default"] is None for row in secret.values())
    settings = admin.settings.current
    assert settings.admin.password_hash and settings.rtmp.stream_keys  # real values exist
    text = json.dumps(rows)
    assert settings.admin.password_hash not in text
    assert settings.rtmp.stream_keys[0].key not in text


async def test_config_keys_gives_the_fields_of_arrays_of_tables(admin: AdminHarness):
    _, rows = await admin.get("/api/admin/config/keys")
    variants = next(row for row in rows if row["key"] == "video.variants")
    assert variants["type"] == "variants"
    assert variants["items"]["framerate"] == {"type": "integer", "min": 1, "max": 120}
    assert variants["items"]["videoPassthrough"] == {"type": "bool"}
    assert variants["items"]["name"] == {"type": "text"}
    assert set(variants["items"]) == {
        "name",
        "videoPassthrough",
        "audioPassthrough",
        "videoBitrate",
        "audioBitrate",
        "scaledWidth",
        "scaledHeight",
        "framerate",
        "cpuUsageLevel",
    }

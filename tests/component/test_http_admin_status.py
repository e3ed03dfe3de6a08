"""`/api/admin/status` behind Owncast's admin basic auth (reference §1.1, §1.2, §1.6)."""

from __future__ import annotations

import base64
import json

import pytest

from owncastd import OWNCAST_API_VERSION
from owncastd.config.settings import VideoVariant
from owncastd.core.media import StreamDetails
from tests.component.app_fixtures import ADMIN_PASSWORD, START_Z, VERSION, basic, password_hash
from tests.component.http_fixtures import WebHarness, web_fixture  # noqa: F401

REALM = 'Basic realm="Owncast Authenticated Request"'
ADMIN = basic("admin", ADMIN_PASSWORD)
STATUS_FIELDS = {
    "broadcaster",
    "currentBroadcast",
    "health",
    "online",
    "viewerCount",
    "overallPeakViewerCount",
    "sessionPeakViewerCount",
    "versionNumber",
    "owncastdVersion",
    "streamTitle",
}
VARIANT_FIELDS = {
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


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BAD_CREDENTIALS = {
    "no header": {},
    "wrong user": basic("root", ADMIN_PASSWORD),
    "user differs in case": basic("Admin", ADMIN_PASSWORD),
    "wrong password": basic("admin", "abc123"),
    "password prefix": basic("admin", ADMIN_PASSWORD[:-1]),
    "empty password": basic("admin", ""),
    "no colon": {"Authorization": f"Basic {b64('admin')}"},
    "bearer scheme": {"Authorization": f"Bearer {ADMIN_PASSWORD}"},
    "digest scheme": {"Authorization": f"Digest {b64('admin:' + ADMIN_PASSWORD)}"},
    "not base64": {"Authorization": "Basic !!!not-base64!!!"},
    "basic without token": {"Authorization": "Basic"},
    "garbage": {"Authorization": "garbage"},
    "over 72 bytes": basic("admin", ADMIN_PASSWORD * 4),
    "not utf-8": {"Authorization": "Basic " + base64.b64encode(b"admin:\xff\xfe").decode()},
}


async def assert_unauthorised(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM
    assert b"broadcaster" not in await response.get_data()


@pytest.mark.parametrize("case", list(BAD_CREDENTIALS))
async def test_bad_credentials_get_401_with_the_realm(web: WebHarness, case: str):
    await assert_unauthorised(await web.get("/api/admin/status", headers=BAD_CREDENTIALS[case]))


async def test_no_password_configured_refuses_everyone(web: WebHarness):
    web.configure("admin", password_hash="")
    await assert_unauthorised(await web.get("/api/admin/status", headers=basic("admin", "")))
    await assert_unauthorised(await web.get("/api/admin/status", headers=ADMIN))


async def test_admin_password_is_accepted(web: WebHarness):
    response = await web.get("/api/admin/status", headers=ADMIN)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]


async def test_password_with_colon_and_non_ascii_is_accepted(web: WebHarness):
    web.configure("admin", password_hash=password_hash("pä:ss wörd:"))
    response = await web.get("/api/admin/status", headers=basic("admin", "pä:ss wörd:"))
    assert response.status_code == 200
    await assert_unauthorised(await web.get("/api/admin/status", headers=basic("admin", "pä")))


async def test_a_malformed_stored_hash_refuses_instead_of_failing(web: WebHarness):
    web.configure("admin", password_hash="not-a-bcrypt-hash")
    await assert_unauthorised(await web.get("/api/admin/status", headers=ADMIN))


async def test_a_wrong_password_after_a_right_one_is_still_refused(web: WebHarness):
    assert (await web.get("/api/admin/status", headers=ADMIN)).status_code == 200
    await assert_unauthorised(await web.get("/api/admin/status", headers=basic("admin", "x")))
    await assert_unauthorised(
        await web.get("/api/admin/status", headers=basic("root", ADMIN_PASSWORD))
    )
    assert (await web.get("/api/admin/status", headers=ADMIN)).status_code == 200


async def test_a_new_password_hash_takes_effect_at_once(web: WebHarness):
    assert (await web.get("/api/admin/status", headers=ADMIN)).status_code == 200
    web.configure("admin", password_hash=password_hash("new-secret"))
    await assert_unauthorised(await web.get("/api/admin/status", headers=ADMIN))
    response = await web.get("/api/admin/status", headers=basic("admin", "new-secret"))
    assert response.status_code == 200


async def test_preflight_gets_204_with_admin_cors(web: WebHarness):
    response = await web.client.options("/api/admin/status")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert await response.get_data() == b""


async def test_status_offline(web: WebHarness):
    web.configure("server", stream_title="Soon")
    response = await web.get("/api/admin/status", headers=ADMIN)
    status = json.loads(await response.get_data())
    assert set(status) == STATUS_FIELDS
    assert status["broadcaster"] is None
    assert status["currentBroadcast"] is None
    assert status["online"] is False
    assert status["viewerCount"] == 0
    assert status["overallPeakViewerCount"] == 5
    assert status["sessionPeakViewerCount"] == 0
    assert status["versionNumber"] == OWNCAST_API_VERSION
    assert status["owncastdVersion"] == VERSION
    assert status["streamTitle"] == "Soon"
    assert isinstance(status["health"], dict)


async def test_status_while_live(web: WebHarness, mock_clock):
    web.configure(
        "video",
        latency_level=3,
        variants=(
            VideoVariant(video_passthrough=True, audio_passthrough=True),
            VideoVariant(
                scaled_width=1280,
                scaled_height=720,
                video_bitrate=2500,
                audio_bitrate=128,
                audio_passthrough=False,
                framerate=30,
                cpu_usage_level=1,
            ),
        ),
    )
    session = await web.go_online("198.51.100.20")
    session.set_details(
        StreamDetails(
            width=1920,
            height=1080,
            framerate=29.97,
            video_bitrate=4500,
            video_codec="H.264",
            audio_bitrate=160,
            audio_codec="AAC",
            encoder="obs-output module (libobs version 30.0.0)",
            video_only=False,
        )
    )
    for agent in ("A", "B"):
        await web.get("/api/ping", headers={"User-Agent": agent})

    status = json.loads(await (await web.get("/api/admin/status", headers=ADMIN)).get_data())
    assert status["online"] is True
    assert status["viewerCount"] == 2
    assert status["sessionPeakViewerCount"] == 2
    assert status["overallPeakViewerCount"] == 5
    assert status["broadcaster"] == {
        "remoteAddr": "198.51.100.20",
        "time": START_Z,
        "streamDetails": {
            "width": 1920,
            "height": 1080,
            "framerate": 29.97,
            "videoBitrate": 4500,
            "videoCodec": "H.264",
            "audioBitrate": 160,
            "audioCodec": "AAC",
            "encoder": "obs-output module (libobs version 30.0.0)",
            "videoOnly": False,
        },
    }
    broadcast = status["currentBroadcast"]
    assert broadcast["latencyLevel"] == 3
    outputs = broadcast["outputSettings"]
    assert [set(o) for o in outputs] == [VARIANT_FIELDS, VARIANT_FIELDS]
    assert outputs[0]["name"] == "Source"
    assert outputs[0]["videoPassthrough"] is True
    assert outputs[1] == {
        "name": "720p @30",
        "videoPassthrough": False,
        "audioPassthrough": False,
        "videoBitrate": 2500,
        "audioBitrate": 128,
        "scaledWidth": 1280,
        "scaledHeight": 720,
        "framerate": 30,
        "cpuUsageLevel": 1,
    }


async def test_status_after_the_publisher_leaves(web: WebHarness, mock_clock):
    session = await web.go_online()
    await web.get("/api/ping", headers={"User-Agent": "A"})
    session.end()
    status = json.loads(await (await web.get("/api/admin/status", headers=ADMIN)).get_data())
    assert status["online"] is False
    assert status["broadcaster"] is None
    assert status["viewerCount"] == 0
    assert status["sessionPeakViewerCount"] == 1

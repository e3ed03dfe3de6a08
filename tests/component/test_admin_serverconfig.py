"""`GET /api/admin/serverconfig` on a fresh install, the `logo` upload served at /logo, and
`/api/socialplatforms`."""

from __future__ import annotations

import base64

import pytest

from owncastd.config.settings import DEFAULT_PAGE_CONTENT, DEFAULT_SUMMARY
from owncastd.http.admin.logo_upload import MAX_LOGO_BYTES
from tests.component.admin_fixtures import (
    SUPPORTED_CODECS,
    AdminHarness,
    admin_fixture,  # noqa: F401
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1"/></svg>'


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


async def test_fresh_install_has_owncast_defaults(admin: AdminHarness):
    response, config = await admin.get("/api/admin/serverconfig")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-cache")
    assert config["instanceDetails"] == {
        "name": "New Owncast Server",
        "summary": DEFAULT_SUMMARY,
        "welcomeMessage": "",
        "offlineMessage": "",
        "logo": "logo.svg",
        "tags": ["owncast", "streaming"],
        "socialHandles": [{"platform": "github", "url": "https://github.com/owncast/owncast"}],
        "extraPageContent": DEFAULT_PAGE_CONTENT,
        "streamTitle": "",
        "nsfw": False,
        "customStyles": "",
        "customJavascript": "",
        "appearanceVariables": {},
        "autoplay": "off",
    }
    assert config["adminPassword"] == admin.settings.current.admin.password_hash
    assert config["streamKeys"] == [{"key": "stream-key", "comment": "test key"}]
    assert config["streamKeyOverridden"] is False
    assert (config["webServerPort"], config["webServerIP"]) == (8080, "0.0.0.0")
    assert config["rtmpServerPort"] == 1935
    assert config["chatDisabled"] is False
    assert config["chatJoinMessagesEnabled"] is True
    assert config["chatEstablishedUserMode"] is False
    assert config["chatSpamProtectionEnabled"] is True
    assert config["chatSlurFilterEnabled"] is False
    assert config["hideViewerCount"] is False
    assert config["disableSearchIndexing"] is False
    assert config["socketHostOverride"] == ""
    assert config["videoServingEndpoint"] == ""
    assert config["ffmpegPath"] == ""
    assert config["videoCodec"] == "libx264"
    assert config["supportedCodecs"] == list(SUPPORTED_CODECS)
    assert config["videoSettings"] == {
        "latencyLevel": 2,
        "videoQualityVariants": [
            {
                "name": "",
                "videoPassthrough": False,
                "audioPassthrough": True,
                "videoBitrate": 1200,
                "audioBitrate": 0,
                "scaledWidth": 0,
                "scaledHeight": 0,
                "framerate": 24,
                "cpuUsageLevel": 2,
            }
        ],
    }
    assert config["yp"] == {"enabled": False, "instanceUrl": ""}
    assert config["s3"] == {
        "enabled": False,
        "endpoint": "",
        "servingEndpoint": "",
        "accessKey": "",
        "secret": "",
        "bucket": "",
        "region": "",
        "acl": "",
        "forcePathStyle": False,
        "pathPrefix": "",
    }
    assert config["externalActions"] == []
    assert config["forbiddenUsernames"] == ["owncast", "operator", "admin", "system"]
    assert config["suggestedUsernames"] == []
    assert config["federation"] == {
        "enabled": False,
        "isPrivate": False,
        "username": "streamer",
        "goLiveMessage": "I've gone live!",
        "showEngagement": True,
        "blockedDomains": [],
        "hideFollowers": False,
        "enableQuotes": False,
    }
    assert config["notifications"] == {
        "discord": {"enabled": False, "webhook": "", "goLiveMessage": ""},
        "browser": {"enabled": True, "goLiveMessage": "I've gone live!"},
    }


async def test_serverconfig_needs_the_admin(admin: AdminHarness):
    response, body = await admin.get("/api/admin/serverconfig", auth=False)
    assert response.status_code == 401
    assert b"adminPassword" not in body
    response, body = await admin.get("/api/admin/serverconfig")  # the admin gets the field
    assert response.status_code == 200 and "adminPassword" in body


async def test_temporary_stream_key_is_reported_as_overridden(admin: AdminHarness):
    from dataclasses import replace

    admin.settings.replace(replace(admin.settings.current, temporary_stream_key="temp-key"))
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["streamKeyOverridden"] is True
    assert {"key": "temp-key", "comment": ""} not in config["streamKeys"]


@pytest.mark.parametrize(
    ("mime", "data", "content_type"),
    [("image/png", PNG, "image/png"), ("image/svg+xml", SVG, "image/svg+xml")],
)
async def test_logo_upload_is_served_at_logo(admin: AdminHarness, mime, data, content_type):
    response, body = await admin.set_config("logo", data_uri(mime, data))
    assert response.status_code == 200, body
    served, payload = await admin.get("/logo", auth=False)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert payload == data
    _, config = await admin.get("/api/admin/serverconfig")
    name = config["instanceDetails"]["logo"]
    assert name.startswith("logo-") and (admin.paths.data_dir / name).read_bytes() == data
    assert f'logo = "{name}"' in admin.config_text()


async def test_a_new_logo_replaces_the_old_files(admin: AdminHarness):
    await admin.set_config("logo", data_uri("image/png", PNG))
    await admin.set_config("logo", data_uri("image/svg+xml", SVG))
    await admin.set_config("logo", data_uri("image/png", PNG + b"\x00"))
    files = sorted(p.name for p in admin.paths.data_dir.glob("logo-*"))
    current = admin.settings.current.server.logo
    assert current in files and len(files) <= 2  # the new one and the one it replaced


BAD_LOGOS = {
    "not base64": "data:image/png;base64,!!!!",
    "no base64 marker": "data:image/png," + base64.b64encode(PNG).decode(),
    "html": data_uri("text/html", b"<script>alert(1)</script>"),
    "png label on gif bytes": data_uri("image/png", b"GIF89a" + b"\x00" * 20),
    "svg with script": data_uri("image/svg+xml", b"<svg><script>alert(1)</script></svg>"),
    "svg with handler": data_uri("image/svg+xml", b'<svg onload="alert(1)"></svg>'),
    "svg with entity": data_uri("image/svg+xml", b'<!DOCTYPE x [<!ENTITY a "b">]><svg>&a;</svg>'),
    "empty": "data:image/png;base64,",
    "too big": data_uri("image/png", PNG + b"\x00" * MAX_LOGO_BYTES),
}


@pytest.mark.parametrize("case", list(BAD_LOGOS))
async def test_bad_logos_are_refused(admin: AdminHarness, case):
    before = admin.config_text()
    response, body = await admin.set_config("logo", BAD_LOGOS[case])
    assert 400 <= response.status_code < 500, body
    assert body["success"] is False
    assert admin.config_text() == before
    assert not list(admin.paths.data_dir.glob("logo-*"))


async def test_socialplatforms_lists_every_platform_with_an_icon(admin: AdminHarness):
    response, platforms = await admin.get("/api/socialplatforms", auth=False)
    assert response.status_code == 200
    assert platforms["github"] == {"platform": "GitHub", "icon": "/img/platformlogos/github.svg"}
    assert platforms["mastodon"]["platform"] == "Mastodon"
    for entry in platforms.values():
        icon, _ = await admin.get(entry["icon"], auth=False)
        assert icon.status_code == 200


def test_serverconfig_places_come_from_the_settings_table():
    import dataclasses

    from owncastd.config.settings import Settings
    from owncastd.config.table import TABLE
    from owncastd.http.admin.serverconfig import server_config_payload

    def dig(data, path):
        for part in path.split("."):
            data = data[part]
        return data

    payload = server_config_payload(Settings(), ("libx264",))
    assert dig(payload, "videoSettings.latencyLevel") == 2
    moved = tuple(
        dataclasses.replace(s, shown="video.latency") if s.path == "video.latency_level" else s
        for s in TABLE
    )
    payload = server_config_payload(Settings(), ("libx264",), moved)
    assert dig(payload, "video.latency") == 2
    assert "latencyLevel" not in payload["videoSettings"]

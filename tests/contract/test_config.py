"""Owncast's public config family as a client sees it: `/api/config`, `/api/status` and
`/robots.txt` (reference §1.3/§1.4, develop §0, §5.5, §7.2). Each test reads as Owncast's
behaviour: status, headers, the JSON shape field by field, and the exact text rules."""

from __future__ import annotations

from owncastd import OWNCAST_API_VERSION
from owncastd.config.settings import DEFAULT_SUMMARY, SocialHandle
from tests.component.app_fixtures import VERSION
from tests.component.http_fixtures import WebHarness, web_fixture  # noqa: F401

# Every field Owncast's web client reads from /api/config, with Owncast's JSON type.
CONFIG_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "summary": str,
    "offlineMessage": str,
    "logo": str,
    "tags": list,
    "version": str,
    "nsfw": bool,
    "extraPageContent": str,
    "socialHandles": list,
    "externalActions": list,
    "customStyles": str,
    "appearanceVariables": dict,
    "maxSocketPayloadSize": int,
    "hideViewerCount": bool,
    "chatDisabled": bool,
    "chatSpamProtectionDisabled": bool,
    "chatRequireAuthentication": bool,
    "autoplay": str,
    "pluginTabs": list,
    "pluginStyles": str,
    "federation": dict,
    "notifications": dict,
    "authentication": dict,
    "schedule": dict,  # develop §5.2: always present
    "owncastdVersion": str,  # ours, beside Owncast's fields
}
# Owncast's `omitempty` fields: present only when set.
CONFIG_OMITTED_WHEN_EMPTY = {"streamTitle": str, "socketHostOverride": str}
STATUS_TYPES: dict[str, type | tuple[type, ...]] = {
    "online": bool,
    "lastConnectTime": (str, type(None)),
    "lastDisconnectTime": (str, type(None)),
    "versionNumber": str,
    "streamTitle": str,
    "serverTime": str,
    "owncastdVersion": str,
}


def assert_shape(payload: dict, types: dict[str, type | tuple[type, ...]]) -> None:
    assert set(payload) == set(types), set(payload) ^ set(types)
    for name, kind in types.items():
        value = payload[name]
        assert isinstance(value, kind), (name, value)
        assert not (kind is int and isinstance(value, bool)), name


# ---- /api/config ---------------------------------------------------------------------------


async def test_config_has_every_field_with_owncast_types_on_a_fresh_install(web: WebHarness):
    response, config = await web.get_json("/api/config")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "no-cache" in response.headers["Cache-Control"]
    assert_shape(config, CONFIG_TYPES)
    assert config["logo"] == "/logo"
    assert config["pluginTabs"] == []
    assert config["autoplay"] == "off"
    assert config["chatRequireAuthentication"] is False
    assert config["maxSocketPayloadSize"] == 2048


async def test_config_omits_stream_title_and_socket_host_only_when_empty(web: WebHarness):
    _, config = await web.get_json("/api/config")
    assert "streamTitle" not in config and "socketHostOverride" not in config
    web.configure("server", stream_title="Nest day 4")
    web.configure("web", socket_host_override="wss://chat.example.org")
    _, config = await web.get_json("/api/config")
    assert_shape(config, CONFIG_TYPES | CONFIG_OMITTED_WHEN_EMPTY)
    assert config["streamTitle"] == "Nest day 4"
    assert config["socketHostOverride"] == "wss://chat.example.org"


async def test_config_summary_is_the_raw_stored_string(web: WebHarness):
    _, config = await web.get_json("/api/config")
    assert config["summary"] == DEFAULT_SUMMARY
    web.configure("server", summary="Hello **world** <b>x</b>\nline two")
    _, config = await web.get_json("/api/config")
    assert config["summary"] == "Hello **world** <b>x</b>\nline two"


async def test_config_offline_message_is_simple_markdown_with_goldmarks_trailing_newline(
    web: WebHarness,
):
    _, config = await web.get_json("/api/config")
    assert config["offlineMessage"] == ""
    web.configure("server", offline_message="Back *soon*, see https://example.org")
    _, config = await web.get_json("/api/config")
    assert config["offlineMessage"] == (
        '<p>Back <em>soon</em>, see <a href="https://example.org" target="_blank" '
        'rel="noopener noreferrer">https://example.org</a></p>\n'
    )


async def test_config_offline_message_keeps_raw_html_links_but_nothing_executable(
    web: WebHarness,
):
    # Owncast passes raw HTML through unsanitised; we keep what the page allow-list allows.
    web.configure(
        "server",
        offline_message=(
            '<a href="https://example.org/next"><u>Next show</u></a>'
            '<script>steal()</script><img src="/x.png" onerror="alert(1)">'
            '<a href="javascript:alert(2)">bad</a>'
        ),
    )
    _, config = await web.get_json("/api/config")
    html = config["offlineMessage"]
    assert '<a href="https://example.org/next"' in html and "Next show" in html
    assert "script" not in html and "steal" not in html
    assert "onerror" not in html and "javascript" not in html
    assert html.endswith("\n")


async def test_config_page_content_is_gfm_with_linkify_and_raw_html_trimmed(web: WebHarness):
    web.configure(
        "server",
        extra_page_content=(
            "\n\n| day | show |\n|---|---|\n| Mon | ~~birds~~ |\n\n"
            "see https://example.org <em>now</em> <iframe src=x></iframe>\n\n\n"
        ),
    )
    _, config = await web.get_json("/api/config")
    html = config["extraPageContent"]
    assert html == html.strip()
    assert "<table>" in html and "<td><s>birds</s></td>" in html
    assert '<a href="https://example.org"' in html and "<em>now</em>" in html
    assert "iframe" not in html


async def test_config_default_page_content_is_owncasts_welcome(web: WebHarness):
    _, config = await web.get_json("/api/config")
    html = config["extraPageContent"]
    assert html.startswith("<h1>Welcome to Owncast!</h1>")
    assert html.count("<li>") == 3
    assert '<a href="https://owncast.online"' in html
    assert '<a href="https://directory.owncast.online"' in html
    assert html.endswith("<hr>")


async def test_config_social_handles_icons_as_owncast(web: WebHarness):
    web.configure(
        "server",
        social_handles=(
            SocialHandle("mastodon", "https://m.example/@birds", icon="https://evil.example/i.png"),
            SocialHandle("myspace", "https://myspace.example/birds"),
            SocialHandle("peertube", "https://tube.example/birds", icon="/public/tube.svg"),
        ),
    )
    _, config = await web.get_json("/api/config")
    assert config["socialHandles"] == [
        {  # a known platform: the icon is overwritten with the built-in one
            "platform": "mastodon",
            "url": "https://m.example/@birds",
            "icon": "/img/platformlogos/mastodon.svg",
        },
        {"platform": "myspace", "url": "https://myspace.example/birds"},  # no icon: omitted
        {"platform": "peertube", "url": "https://tube.example/birds", "icon": "/public/tube.svg"},
    ]


async def test_config_version_fields(web: WebHarness):
    _, config = await web.get_json("/api/config")
    assert config["owncastdVersion"] == VERSION
    assert config["version"] == f"Owncast v{OWNCAST_API_VERSION}-owncastd (owncastd {VERSION})"


async def test_config_autoplay_and_require_authentication_follow_settings(web: WebHarness):
    web.configure("server", autoplay="sound-only")
    web.configure("chat", require_authentication=True)
    _, config = await web.get_json("/api/config")
    assert config["autoplay"] == "sound-only"
    assert config["chatRequireAuthentication"] is True


# ---- /api/status ---------------------------------------------------------------------------


async def test_status_shape_and_api_version(web: WebHarness):
    response, status = await web.get_json("/api/status")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert_shape(status, STATUS_TYPES)  # offline: viewerCount 0 is omitted (omitempty)
    assert status["versionNumber"] == OWNCAST_API_VERSION == "0.2.4"
    assert status["owncastdVersion"] == VERSION


async def test_status_viewer_count_omitted_when_zero_or_hidden(web: WebHarness, mock_clock):
    await web.go_online()
    _, status = await web.get_json("/api/status")
    assert status["online"] is True and "viewerCount" not in status
    await web.get("/api/ping", headers={"User-Agent": "A"})
    _, status = await web.get_json("/api/status")
    assert status["viewerCount"] == 1
    web.configure("server", hide_viewer_count=True)
    _, status = await web.get_json("/api/status")
    assert "viewerCount" not in status


# ---- /robots.txt ---------------------------------------------------------------------------


async def test_robots_txt_exact_bodies(web: WebHarness):
    response = await web.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert await response.get_data() == b"User-agent: *\nDisallow: /admin\nDisallow: /api"
    web.configure("server", disable_search_indexing=True)
    response = await web.get("/robots.txt")
    assert await response.get_data() == (
        b"User-agent: *\nDisallow: /admin\nDisallow: /api\nDisallow: /"
    )

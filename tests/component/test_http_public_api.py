"""Public `/api` routes of the video side as a client sees them (reference §1.4, §8.1, §9.1)."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

from trio.testing import wait_all_tasks_blocked

from owncastd import OWNCAST_API_VERSION, release_string
from owncastd.config.settings import ExternalAction, SocialHandle, VideoVariant
from tests.component.app_fixtures import START_Z, VERSION
from tests.component.fast_fixtures import web_fixture  # noqa: F401
from tests.component.http_fixtures import WebHarness

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NO_CACHE_WORDS = {"no-cache", "no-store"}

STATUS_FIELDS = {
    "online",
    "viewerCount",
    "owncastdVersion",
    "lastConnectTime",
    "lastDisconnectTime",
    "versionNumber",
    "streamTitle",
    "serverTime",
}
CONFIG_FIELDS = {
    "name",
    "summary",
    "offlineMessage",
    "logo",
    "tags",
    "version",
    "owncastdVersion",
    "nsfw",
    "extraPageContent",
    "socialHandles",
    "externalActions",
    "customStyles",
    "appearanceVariables",
    "maxSocketPayloadSize",
    "hideViewerCount",
    "chatDisabled",
    "chatSpamProtectionDisabled",
    "chatRequireAuthentication",
    "autoplay",
    "pluginTabs",
    "pluginStyles",
    "federation",
    "notifications",
    "authentication",
    "schedule",  # develop §5.2: always present
}
YP_FIELDS = {
    "name",
    "description",
    "streamTitle",
    "logo",
    "tags",
    "social",
    "nsfw",
    "online",
    "viewerCount",
    "overallMaxViewerCount",
    "sessionMaxViewerCount",
    "lastConnectTime",
}


def assert_no_cache(response) -> None:
    words = {w.strip() for w in response.headers.get("Cache-Control", "").split(",")}
    assert NO_CACHE_WORDS & words, response.headers.get("Cache-Control")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """The real elements of an HTML fragment (escaped text is not an element)."""
    parser = _Tags()
    parser.feed(html)
    return parser.found


def viewer_count(status: dict) -> int:
    """`viewerCount`, which Owncast omits when it is 0 (omitempty, develop §0)."""
    assert status.get("viewerCount") != 0, "0 viewers is omitted, not sent"
    return status.get("viewerCount", 0)


def parse_z(value: str) -> datetime:
    assert RFC3339_Z.match(value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---- /api/status ---------------------------------------------------------------------------


async def test_status_offline_before_any_stream(web: WebHarness):
    web.configure("server", stream_title="Building a bird house")
    response, status = await web.get_json("/api/status")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert_no_cache(response)
    assert set(status) == STATUS_FIELDS - {"viewerCount"}, "0 viewers: omitted as in Owncast"
    assert status["online"] is False
    assert viewer_count(status) == 0
    assert status["lastConnectTime"] is None
    assert status["lastDisconnectTime"] is None
    assert status["versionNumber"] == OWNCAST_API_VERSION
    assert status["owncastdVersion"] == VERSION
    assert status["streamTitle"] == "Building a bird house"
    assert status["serverTime"] == START_Z
    assert parse_z(status["serverTime"]) == web.wall()


async def test_status_online_only_after_media_ready_and_warm_up(web: WebHarness, mock_clock):
    assert web.clock is not None
    session = web.stream.begin("203.0.113.9")
    web.stream.media_ready(session)
    _, status = await web.get_json("/api/status")
    assert status["online"] is False, "a publisher is not online before the warm-up"
    assert status["lastConnectTime"] == START_Z

    web.clock.jump(6.9)  # warm-up is max(3 x 2 s, 7 s) = 7 s from connecting
    await wait_all_tasks_blocked()
    _, status = await web.get_json("/api/status")
    assert status["online"] is False
    web.clock.jump(0.1)
    await wait_all_tasks_blocked()
    _, status = await web.get_json("/api/status")
    assert status["online"] is True


async def test_status_not_online_without_media_however_long(web: WebHarness, mock_clock):
    assert web.clock is not None
    session = web.stream.begin("203.0.113.9")
    web.clock.jump(120)
    await wait_all_tasks_blocked()
    _, status = await web.get_json("/api/status")
    assert status["online"] is False
    web.stream.media_ready(session)
    await wait_all_tasks_blocked()
    _, status = await web.get_json("/api/status")
    assert status["online"] is True


async def test_status_after_disconnect_reports_both_times(web: WebHarness, mock_clock):
    session = await web.go_online()
    web.wall.advance(3600.5)
    session.end()
    _, status = await web.get_json("/api/status")
    assert status["online"] is False
    assert viewer_count(status) == 0
    assert status["lastConnectTime"] == START_Z
    assert status["lastDisconnectTime"] == "2026-03-01T13:30:15.750Z"
    assert parse_z(status["lastDisconnectTime"]) == web.wall()
    assert parse_z(status["serverTime"]) == web.wall()


async def test_status_hides_viewer_count_when_configured(web: WebHarness, mock_clock):
    await web.go_online()
    await web.get("/api/ping", headers={"User-Agent": "A"})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 1

    web.configure("server", hide_viewer_count=True)
    _, status = await web.get_json("/api/status")
    assert "viewerCount" not in status
    assert set(status) == STATUS_FIELDS - {"viewerCount"}


# ---- /api/ping and viewers ------------------------------------------------------------------


async def test_ping_counts_viewers_only_while_live(web: WebHarness, mock_clock):
    response = await web.get("/api/ping", headers={"User-Agent": "Firefox"})
    assert response.status_code == 200
    await web.go_online()
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 0, "a ping while offline must not count"

    for _ in range(3):
        assert (await web.get("/api/ping", headers={"User-Agent": "Firefox"})).status_code == 200
    await web.get("/api/ping", headers={"User-Agent": "Chrome"})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 2, "one IP with two User-Agents is two viewers"


async def test_ping_identity_uses_the_forwarded_for_entry_the_proxy_appended_without_ffff(
    web: WebHarness, mock_clock
):
    await web.go_online()
    ua = {"User-Agent": "Safari"}
    proxy = {"client": ("127.0.0.1", 40000)}  # a reverse proxy on this host: trusted
    await web.get(
        "/api/ping",
        headers={**ua, "X-Forwarded-For": "10.0.0.1, 198.51.100.7"},  # .7 appended by the proxy
        scope_base=proxy,
    )
    await web.get("/api/ping", headers={**ua, "X-Forwarded-For": "198.51.100.7"}, scope_base=proxy)
    await web.get(
        "/api/ping", headers={**ua, "X-Forwarded-For": "::ffff:198.51.100.7"}, scope_base=proxy
    )
    await web.get("/api/ping", headers=ua, scope_base={"client": ("::ffff:198.51.100.7", 50000)})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 1
    assert [v.ip_address for v in web.viewers.viewers()] == ["198.51.100.7"]

    await web.get(  # now the proxy appended 10.0.0.1: another viewer
        "/api/ping", headers={**ua, "X-Forwarded-For": "198.51.100.7, 10.0.0.1"}, scope_base=proxy
    )
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 2
    assert sorted(v.ip_address for v in web.viewers.viewers()) == ["10.0.0.1", "198.51.100.7"]


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(web: WebHarness, mock_clock):
    await web.go_online()
    untrusted = {"client": ("203.0.113.50", 40000)}
    headers = {"User-Agent": "Safari", "X-Forwarded-For": "198.51.100.7"}
    await web.get("/api/ping", headers=headers, scope_base=untrusted)
    assert [v.ip_address for v in web.viewers.viewers()] == ["203.0.113.50"]


async def test_viewers_expire_15_seconds_after_their_last_ping(web: WebHarness, mock_clock):
    await web.go_online()
    await web.get("/api/ping", headers={"User-Agent": "A"})
    await web.get("/api/ping", headers={"User-Agent": "B"})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 2
    for _ in range(3):  # B keeps pinging every 5 s, A went away
        mock_clock.jump(5)
        await wait_all_tasks_blocked()
        await web.get("/api/ping", headers={"User-Agent": "B"})
    mock_clock.jump(5)
    await wait_all_tasks_blocked()
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 1


async def test_viewers_leave_when_the_stream_stops(web: WebHarness, mock_clock):
    session = await web.go_online()
    await web.get("/api/ping", headers={"User-Agent": "A"})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 1  # counted while live
    session.end()
    await web.get("/api/ping", headers={"User-Agent": "B"})
    _, status = await web.get_json("/api/status")
    assert viewer_count(status) == 0


# ---- /api/config ---------------------------------------------------------------------------


async def test_config_has_every_reference_field_with_defaults(web: WebHarness):
    response, config = await web.get_json("/api/config")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert_no_cache(response)
    assert set(config) == CONFIG_FIELDS
    assert config["name"] == "New Owncast Server"
    assert config["logo"] == "/logo"
    assert config["version"] == release_string(VERSION)
    assert config["owncastdVersion"] == VERSION
    assert config["tags"] == ["owncast", "streaming"]
    assert config["maxSocketPayloadSize"] == 2048
    assert config["nsfw"] is False
    assert config["hideViewerCount"] is False
    assert config["chatDisabled"] is False
    assert config["chatSpamProtectionDisabled"] is False
    assert config["appearanceVariables"] == {}
    assert config["externalActions"] == []
    assert "socketHostOverride" not in config and "streamTitle" not in config  # omitempty
    assert config["customStyles"] == ""
    assert config["offlineMessage"] == ""
    assert config["summary"] == "This is a new live video streaming server powered by Owncast."
    assert "<h1>" in config["extraPageContent"]
    assert config["federation"] == {"enabled": False}
    assert config["notifications"] == {"browser": {"enabled": False}}
    assert config["authentication"] == {"indieAuthEnabled": False}


async def test_config_reflects_settings(web: WebHarness):
    web.configure(
        "server",
        name="Bird Cam",
        stream_title="Nest day 4",
        tags=("birds", "nature"),
        nsfw=True,
        hide_viewer_count=True,
        custom_styles="body { color: red; }",
        url="https://birds.example.org",
        appearance_variables=(("--theme-color-palette-0", "#123456"), ("--font", "serif")),
        social_handles=(
            SocialHandle("mastodon", "https://m.example/@birds"),
            SocialHandle("GitHub", "https://github.com/birds"),
            SocialHandle("myspace", "https://myspace.example/birds"),
        ),
        external_actions=(
            ExternalAction(
                url="https://shop.example/",
                title="Shop",
                description="Buy seeds",
                icon="https://shop.example/i.png",
                color="#ff0000",
                open_externally=True,
            ),
        ),
    )
    web.configure("chat", disabled=True, spam_protection_enabled=False)
    web.configure("web", socket_host_override="wss://chat.example.org")
    _, config = await web.get_json("/api/config")
    assert config["name"] == "Bird Cam"
    assert config["streamTitle"] == "Nest day 4"
    assert config["tags"] == ["birds", "nature"]
    assert config["nsfw"] is True
    assert config["hideViewerCount"] is True
    assert config["chatDisabled"] is True
    assert config["chatSpamProtectionDisabled"] is True
    assert config["customStyles"] == "body { color: red; }"
    assert config["socketHostOverride"] == "wss://chat.example.org"
    assert config["appearanceVariables"] == {
        "--theme-color-palette-0": "#123456",
        "--font": "serif",
    }
    handles = config["socialHandles"]
    assert [set(h) for h in handles] == [{"platform", "url", "icon"}] * 2 + [{"platform", "url"}]
    assert handles[0] == {
        "platform": "mastodon",
        "url": "https://m.example/@birds",
        "icon": "/img/platformlogos/mastodon.svg",
    }
    assert handles[1]["icon"] == "/img/platformlogos/github.svg"
    assert "icon" not in handles[2], "an unknown platform without a stored icon has none"
    assert config["externalActions"] == [
        {
            "url": "https://shop.example/",
            "title": "Shop",
            "description": "Buy seeds",
            "icon": "https://shop.example/i.png",
            "color": "#ff0000",
            "openExternally": True,
        }
    ]
    # IndieAuth login is not served yet, so it is not advertised even with a server URL.
    assert config["authentication"] == {"indieAuthEnabled": False}


async def test_config_advertises_only_features_the_server_serves(web: WebHarness, monkeypatch):
    import owncastd.http.public.api as public_api

    web.configure("server", url="https://birds.example.org")
    web.configure("federation", enabled=True, username="birds")
    assert web.settings.current.notifications.browser.enabled  # Owncast's default: on
    _, config = await web.get_json("/api/config")
    assert config["federation"] == {"enabled": False}
    assert config["notifications"]["browser"] == {"enabled": False}
    assert config["authentication"] == {"indieAuthEnabled": False}
    # The table saying the features exist is not enough while their routes are missing...
    monkeypatch.setattr(public_api, "feature_ready", lambda feature: True)
    _, config = await web.get_json("/api/config")
    assert config["federation"] == {"enabled": False}
    assert config["authentication"] == {"indieAuthEnabled": False}
    # ...once the app serves them as well, the same settings are advertised.
    monkeypatch.setattr(public_api, "app_serves", lambda prefix: True)
    _, config = await web.get_json("/api/config")
    assert config["federation"]["enabled"] is True
    assert config["federation"]["account"] == "birds@birds.example.org"
    assert config["federation"]["hideFollowersTab"] is False
    # Browser push also needs the VAPID key to subscribe with: without the control plane that
    # makes it (this harness), it stays off (tests/contract/test_notifications.py has it on).
    assert config["notifications"]["browser"] == {"enabled": False}
    assert config["authentication"] == {"indieAuthEnabled": True}


async def test_config_renders_markdown(web: WebHarness):
    web.configure(
        "server",
        summary="Hello **world**, see https://example.org",
        offline_message="Back *soon*",
        extra_page_content="## Schedule\n\n- Monday",
    )
    _, config = await web.get_json("/api/config")
    assert config["summary"] == "Hello **world**, see https://example.org", "raw, as Owncast"
    assert config["offlineMessage"] == "<p>Back <em>soon</em></p>\n", "goldmark's newline"
    assert "<h2>Schedule</h2>" in config["extraPageContent"]
    assert "<li>Monday</li>" in config["extraPageContent"]


async def test_config_markdown_is_sanitised(web: WebHarness):
    web.configure(
        "server",
        summary=(
            "<script>alert('x')</script> [click](javascript:alert(1)) "
            '<img src=x onerror="alert(2)"> <a href="javascript:alert(3)">raw</a>'
        ),
        offline_message="<script>steal()</script>",
        extra_page_content='<iframe src="https://evil.example"></iframe>[x](JavaScript:alert(4))',
    )
    _, config = await web.get_json("/api/config")
    for field in ("offlineMessage", "extraPageContent"):
        found = elements(config[field])
        tags = {tag for tag, _ in found}
        assert not tags & {"script", "iframe", "img", "style"}, (field, config[field])
        for tag, attrs in found:
            assert not any(name.startswith("on") for name in attrs), (field, tag, attrs)
            assert not attrs.get("href", "").lower().startswith("javascript"), (field, attrs)
        assert "<script" not in config[field].lower()
    links = [attrs["href"] for tag, attrs in elements(config["extraPageContent"]) if tag == "a"]
    # Raw HTML is parsed as HTML (as Owncast): the iframe is dropped whole, URL and all.
    assert links == [], config["extraPageContent"]
    # The summary is the raw stored text (Owncast): the page shows it as text, never as HTML.
    assert config["summary"].startswith("<script>alert('x')</script>")


# ---- /api/video/variants -------------------------------------------------------------------


async def test_variants_default_is_one_generated_name(web: WebHarness):
    response, variants = await web.get_json("/api/video/variants")
    assert response.status_code == 200
    assert variants == [{"index": 0, "name": "1200@24fps"}]


async def test_variants_use_owncast_generated_names(web: WebHarness):
    web.configure(
        "video",
        variants=(
            VideoVariant(video_passthrough=True),
            VideoVariant(scaled_height=720, framerate=30),
            VideoVariant(scaled_height=1080, framerate=60),
            VideoVariant(scaled_height=480),
            VideoVariant(scaled_width=640),
            VideoVariant(video_bitrate=800, framerate=25),
            VideoVariant(name="Phone", scaled_height=360),
        ),
    )
    _, variants = await web.get_json("/api/video/variants")
    assert variants == [
        {"index": 0, "name": "Source"},
        {"index": 1, "name": "720p @30"},
        {"index": 2, "name": "1080p @60"},
        {"index": 3, "name": "480h"},
        {"index": 4, "name": "640w"},
        {"index": 5, "name": "800@25fps"},
        {"index": 6, "name": "Phone"},
    ]


# ---- /api/yp -------------------------------------------------------------------------------


async def test_yp_is_404_when_the_directory_is_disabled(web: WebHarness):
    response, payload = await web.get_json("/api/yp")
    assert response.status_code == 404
    assert payload["success"] is False
    assert isinstance(payload["message"], str) and payload["message"]
    assert set(payload) == {"success", "message"}


async def test_yp_fields_when_enabled(web: WebHarness, mock_clock):
    web.configure("directory", enabled=True)
    web.configure(
        "server",
        name="Bird Cam",
        summary="Watch **birds**",
        stream_title="Nest",
        tags=("birds",),
        nsfw=True,
        social_handles=(SocialHandle("mastodon", "https://m.example/@birds"),),
    )
    response, yp = await web.get_json("/api/yp")
    assert response.status_code == 200
    assert set(yp) == YP_FIELDS
    assert yp["online"] is False
    assert yp["lastConnectTime"] is None

    await web.go_online()
    await web.get("/api/ping", headers={"User-Agent": "A"})
    await web.get("/api/ping", headers={"User-Agent": "B"})
    _, yp = await web.get_json("/api/yp")
    assert yp == {
        "name": "Bird Cam",
        "description": "Watch **birds**",
        "streamTitle": "Nest",
        "logo": "/logo",
        "tags": ["birds"],
        "social": [{"platform": "mastodon", "url": "https://m.example/@birds"}],
        "nsfw": True,
        "online": True,
        "viewerCount": 2,
        "overallMaxViewerCount": 5,
        "sessionMaxViewerCount": 2,
        "lastConnectTime": START_Z,
    }

"""Commands that change things: what they send, their output, and their refusals."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from tests.ctl.conftest import SERVER_CONFIG, TOKENS, WEBHOOKS

OK = {"success": True, "message": "changed"}


@pytest.mark.parametrize(
    ("args", "setter", "value"),
    [
        (["server.stream_title", "Friday jam"], "streamtitle", "Friday jam"),
        (["title", "Short alias"], "streamtitle", "Short alias"),
        (["video.latency", "1"], "video/streamlatencylevel", 1),
        (["video/streamlatencylevel", "3"], "video/streamlatencylevel", 3),
        (["server.tags", "music, live"], "tags", ["music", "live"]),
        (["server.tags", '["a b", "c"]'], "tags", ["a b", "c"]),
        (["chat.disabled", "yes"], "chat/disable", True),
        (["server.nsfw", "off"], "nsfw", False),
        (["web.port", "8081"], "webserverport", 8081),
        (["server.url", "https://live.example.com"], "serverurl", "https://live.example.com"),
        (["video.codec", "h264_vaapi"], "video/codec", "h264_vaapi"),
        (["server.autoplay", "sound-only"], "autoplay", "sound-only"),
        (
            ["server.appearance_variables", '{"--theme-color-palette-0": "#fff"}'],
            "appearance",
            {"--theme-color-palette-0": "#fff"},
        ),
        (
            ["video.variants", '[{"videoBitrate": 800, "framerate": 30, "cpuUsageLevel": 1}]'],
            "video/streamoutputvariants",
            [{"videoBitrate": 800, "framerate": 30, "cpuUsageLevel": 1}],
        ),
        (
            ["server.social_handles", '[{"platform": "mastodon", "url": "https://m.example/@me"}]'],
            "socialhandles",
            [{"platform": "mastodon", "url": "https://m.example/@me"}],
        ),
        (["federation.username", "stream_er"], "federation/username", "stream_er"),
    ],
)
def test_config_set_sends_the_parsed_value(fake, ctl, args, setter, value):
    fake.route("POST", f"/api/admin/config/{setter}", OK)
    result = ctl("config", "set", *args)
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", f"/api/admin/config/{setter}") == [{"value": value}]
    assert "set" in result.stdout


def test_config_set_restart_note(fake, ctl):
    fake.route("POST", "/api/admin/config/rtmpserverport", OK)
    assert "applies after a restart" in ctl("config", "set", "rtmp.port", "1936").stdout


def test_config_set_object_field_merges_the_current_object(fake, ctl):
    fake.route("POST", "/api/admin/config/s3", OK)
    fake.route("POST", "/api/admin/config/notifications/discord", OK)
    assert ctl("config", "set", "s3.bucket", "videos").exit_code == 0
    sent = fake.sent("POST", "/api/admin/config/s3")[0]["value"]
    assert sent == {**SERVER_CONFIG["s3"], "bucket": "videos"}
    ctl("config", "set", "notifications.discord.enabled", "true")
    assert fake.sent("POST", "/api/admin/config/notifications/discord")[0]["value"] == {
        "enabled": True,
        "webhook": "",
        "goLiveMessage": "",
    }


def test_config_set_logo_reads_the_file(fake, ctl, tmp_path):
    fake.route("POST", "/api/admin/config/logo", OK)
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG fake")
    assert ctl("config", "set", "server.logo", str(logo)).exit_code == 0
    sent = fake.sent("POST", "/api/admin/config/logo")[0]["value"]
    assert sent == "data:image/png;base64," + base64.b64encode(b"\x89PNG fake").decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["video.latency_level", "9"], "video.latency_level must be 0..4 (got 9)"),
        (["video.latency", "fast"], "must be a whole number 0..4 (got 'fast')"),
        (["chat.disabled", "maybe"], "chat.disabled must be true or false (got 'maybe')"),
        (["web.port", "70000"], "must be 1..65535 (got 70000)"),
        (["server.url", "javascript:alert(1)"], "must be a URL starting with http:// or https://"),
        (["web.ip", "localhost"], "must be an IP address"),
        (["video.codec", "x265"], "must be one of libx264"),
        (["server.autoplay", "loud"], "must be one of off, always, sound-only"),
        (["video.variants", "[]"], "non-empty JSON array of variants"),
        (
            ["video.variants", '[{"framerate": 500}]'],
            "variant 1: framerate must be 1..120 (got 500)",
        ),
        (["video.variants", '[{"fps": 30}]'], "variant 1: unknown field 'fps'"),
        (["server.social_handles", '[{"platform": "x"}]'], "item 1: 'url' is required"),
        (["server.tags", "[1, 2]"], "must be a JSON array of strings"),
        (["server.tags", "[oops"], "is not valid JSON"),
        (
            ["video.latncy", "1"],
            "unknown key 'video.latncy' (did you mean \"video.latency_level\"?)",
        ),
        (["admin.password", "x"], "use `owncastctl password set`"),
        (
            ["federation.allow_private_addresses", "true"],
            "set only in owncast.toml ([federation] allow_private_addresses = …)",
        ),
        (["server.name", "x" * 256], "must be at most 255 characters (got 256)"),
        (["server.logo", "/nonexistent.png"], "must be an image file"),
    ],
)
def test_config_set_refuses_bad_values_before_sending(fake, ctl, args, message):
    result = ctl("config", "set", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not [r for r in fake.requests if r.method == "POST"]


def test_config_get_of_the_password_says_what_to_do_instead(fake, ctl):
    result = ctl("config", "get", "admin.password")
    assert result.exit_code == 2
    assert "cannot be set" not in result.stderr  # it was asked to read, not to set
    assert "never shown" in result.stderr and "use `owncastctl password set`" in result.stderr


def test_config_set_server_refusal_is_exit_1(fake, ctl):
    fake.fail("POST", "/api/admin/config/streamtitle", 400, "title too long")
    result = ctl("config", "set", "title", "x")
    assert result.exit_code == 1 and "title too long" in result.stderr


def test_config_keys_lists_every_setter_the_server_lists(fake, ctl):
    result = ctl("config", "keys", "--json")
    setters = {row["setter"] for row in result.json()}
    assert [(r.method, r.url.path) for r in fake.requests] == [("GET", "/api/admin/config/keys")]
    expected = {
        "name",
        "serversummary",
        "streamtitle",
        "welcomemessage",
        "offlinemessage",
        "pagecontent",
        "tags",
        "logo",
        "socialhandles",
        "externalactions",
        "customstyles",
        "customjavascript",
        "appearance",
        "nsfw",
        "hideviewercount",
        "disablesearchindexing",
        "directoryenabled",
        "serverurl",
        "sockethostoverride",
        "videoservingendpoint",
        "webserverip",
        "webserverport",
        "rtmpserverport",
        "rtmpserverbindaddress",
        "ffmpegpath",
        "s3",
        "streamkeys",
        "video/codec",
        "video/streamlatencylevel",
        "video/streamoutputvariants",
        "chat/disable",
        "chat/joinmessagesenabled",
        "chat/establishedusermode",
        "chat/spamprotectionenabled",
        "chat/slurfilterenabled",
        "chat/requireauthentication",
        "chat/forbiddenusernames",
        "chat/suggestedusernames",
        "federation/enable",
        "federation/private",
        "federation/showengagement",
        "federation/username",
        "federation/livemessage",
        "federation/blockdomains",
        "federation/hidefollowers",
        "federation/enablequotes",
        "autoplay",
        "notifications/discord",
        "notifications/browser",
    }
    assert expected <= setters  # adminpass has its own command: `password set`


def test_config_reload_rejected_lists_the_problems(fake, ctl):
    body = {
        "success": False,
        "message": "configuration rejected",
        "problems": ["owncast.toml: [web] port: must be 0..65535 (got 70000)"],
    }
    fake.route("POST", "/api/admin/config/reload", httpx.Response(400, json=body))
    result = ctl("config", "reload")
    assert result.exit_code == 1
    assert "configuration rejected: owncast.toml: [web] port: must be 0..65535" in result.stderr


def test_config_reload(fake, ctl):
    body = {
        "success": True,
        "message": "reloaded",
        "restartRequired": ["web.port"],
        "changed": ["server.name", "web.port"],
        "nextStream": [],
    }
    fake.route("POST", "/api/admin/config/reload", body)
    result = ctl("config", "reload")
    assert result.exit_code == 0 and "reloaded" in result.stdout
    assert "changed: server.name, web.port" in result.stdout
    assert "apply after a restart: web.port" in result.stderr
    assert ctl("config", "reload", "--json").json()["restartRequired"] == ["web.port"]


def test_streamkeys_add_generates_a_strong_key(fake, ctl):
    fake.route("POST", "/api/admin/config/streamkeys", OK)
    result = ctl("streamkeys", "add", "--comment", "backup encoder")
    assert result.exit_code == 0, result.stderr
    sent = fake.sent("POST", "/api/admin/config/streamkeys")[0]["value"]
    assert sent[0] == SERVER_CONFIG["streamKeys"][0]
    new = sent[1]["key"]
    assert len(new) >= 24 and sent[1]["comment"] == "backup encoder"
    assert new in result.stdout


def test_streamkeys_add_refuses_weak_and_duplicate(fake, ctl):
    assert ctl("streamkeys", "add", "abc123").exit_code == 2
    assert ctl("streamkeys", "add", "a-long-stream-key-0001").exit_code == 2
    fake.route("POST", "/api/admin/config/streamkeys", OK)
    assert ctl("streamkeys", "add", "abc123", "--allow-weak").exit_code == 0


def test_streamkeys_remove(fake, ctl):
    fake.route("POST", "/api/admin/config/streamkeys", OK)
    result = ctl("streamkeys", "remove", "OBS")
    assert result.exit_code == 2 and "cannot remove the last stream key" in result.stderr
    config = {
        **SERVER_CONFIG,
        "streamKeys": [*SERVER_CONFIG["streamKeys"], {"key": "second-key-123456", "comment": "b"}],
    }
    fake.route("GET", "/api/admin/serverconfig", config)
    assert ctl("streamkeys", "remove", "OBS").exit_code == 0
    assert fake.sent("POST", "/api/admin/config/streamkeys") == [
        {"value": [{"key": "second-key-123456", "comment": "b"}]}
    ]
    assert ctl("streamkeys", "remove", "nope").exit_code == 2


def test_password_set_updates_the_stored_login(fake, ctl, tmp_path):
    fake.route("POST", "/api/admin/config/adminpass", OK)
    new = tmp_path / "new"
    new.write_text("a-new-long-password\n")
    assert ctl("login", "http://owncast.test:8080").exit_code == 0
    result = ctl(
        "password",
        "set",
        "--new-password-file",
        str(new),
        env={"OWNCAST_ADMIN_PASSWORD": "<unset>"},
    )
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", "/api/admin/config/adminpass") == [{"value": "a-new-long-password"}]
    assert "stored login (file) is updated" in result.stdout
    stored = (tmp_path / "config" / "owncastctl" / "credentials.json").read_text()
    assert "a-new-long-password" in stored


def test_password_set_refuses_weak(fake, ctl, tmp_path):
    new = tmp_path / "new"
    new.write_text("abc123")
    result = ctl("password", "set", "--new-password-file", str(new))
    assert result.exit_code == 2 and "too weak" in result.stderr
    assert not fake.sent("POST", "/api/admin/config/adminpass")


def test_chat_send_creates_then_reuses_an_owncastctl_token(fake, ctl):
    tokens = list(TOKENS)

    def create(request):
        token = {
            "accessToken": "tok-owncastctl",
            "displayName": "owncastctl",
            "scopes": ["CAN_SEND_SYSTEM_MESSAGES"],
        }
        tokens.append(token)
        return token

    fake.route("GET", "/api/admin/accesstokens", lambda r: tokens)
    fake.route("POST", "/api/admin/accesstokens/create", create)
    fake.route("POST", "/api/integrations/chat/system", OK)
    fake.route("POST", "/api/integrations/chat/action", OK)
    assert ctl("chat", "send", "Stream starts in 5 minutes").exit_code == 0
    assert ctl("chat", "send", "--action", "is tuning the guitar").exit_code == 0
    assert fake.sent("POST", "/api/admin/accesstokens/create") == [
        {"name": "owncastctl", "scopes": ["CAN_SEND_SYSTEM_MESSAGES"]}
    ]
    system = [r for r in fake.requests if r.url.path == "/api/integrations/chat/system"]
    assert system[0].headers["authorization"] == "Bearer tok-owncastctl"
    assert fake.sent("POST", "/api/integrations/chat/system") == [
        {"body": "Stream starts in 5 minutes"}
    ]
    assert fake.sent("POST", "/api/integrations/chat/action") == [{"body": "is tuning the guitar"}]


def test_chat_send_keeps_its_token_when_the_daemon_lists_digests(fake, ctl):
    """owncastd lists tokens as `sha256:<digest>`: owncastctl keeps its own token client-side,
    reuses it while the list shows its digest, and never sends a digest as a bearer."""
    tokens = list(TOKENS)

    def create(request):
        tokens.append(
            {
                "accessToken": "sha256:" + hashlib.sha256(b"tok-secret").hexdigest(),
                "displayName": "owncastctl",
                "scopes": ["CAN_SEND_SYSTEM_MESSAGES"],
            }
        )
        return {**tokens[-1], "accessToken": "tok-secret"}

    fake.route("GET", "/api/admin/accesstokens", lambda r: tokens)
    fake.route("POST", "/api/admin/accesstokens/create", create)
    fake.route("POST", "/api/integrations/chat/system", OK)
    assert ctl("chat", "send", "one").exit_code == 0
    assert ctl("chat", "send", "two").exit_code == 0
    assert len(fake.sent("POST", "/api/admin/accesstokens/create")) == 1
    system = [r for r in fake.requests if r.url.path == "/api/integrations/chat/system"]
    assert [r.headers["authorization"] for r in system] == ["Bearer tok-secret"] * 2
    # a digest-listed owncastctl token whose cleartext is not known is not used: a new one is made
    tokens[-1] = {**tokens[-1], "accessToken": "sha256:" + "0" * 64}
    assert ctl("chat", "send", "three").exit_code == 0
    assert len(fake.sent("POST", "/api/admin/accesstokens/create")) == 2
    assert all(
        "sha256:" not in r.headers["authorization"]
        for r in fake.requests
        if r.url.path == "/api/integrations/chat/system"
    )


def test_tokens_delete_accepts_the_token_when_the_list_shows_digests(fake, ctl):
    listed = [{**TOKENS[0], "accessToken": "sha256:" + hashlib.sha256(b"tok-x").hexdigest()}]
    fake.route("GET", "/api/admin/accesstokens", listed)
    fake.route("POST", "/api/admin/accesstokens/delete", OK)
    assert ctl("tokens", "delete", "tok-x").exit_code == 0
    assert ctl("tokens", "delete", "mybot").exit_code == 0
    assert fake.sent("POST", "/api/admin/accesstokens/delete") == [
        {"token": "tok-x"},
        {"token": listed[0]["accessToken"]},
    ]
    table = ctl("tokens", "list").stdout
    assert "sha256:" + listed[0]["accessToken"][7:15] in table


def test_chat_hide_and_show(fake, ctl):
    fake.route("POST", "/api/admin/chat/messagevisibility", OK)
    assert ctl("chat", "hide", "m1", "m2").exit_code == 0
    assert ctl("chat", "show", "m2").exit_code == 0
    assert fake.sent("POST", "/api/admin/chat/messagevisibility") == [
        {"idArray": ["m1", "m2"], "visible": False},
        {"idArray": ["m2"], "visible": True},
    ]


@pytest.mark.parametrize(
    ("args", "path", "body"),
    [
        (
            ["users", "ban", "u1"],
            "/api/admin/chat/users/setenabled",
            {"userId": "u1", "enabled": False},
        ),
        (
            ["users", "unban", "u1"],
            "/api/admin/chat/users/setenabled",
            {"userId": "u1", "enabled": True},
        ),
        (
            ["users", "mod", "u1"],
            "/api/admin/chat/users/setmoderator",
            {"userId": "u1", "isModerator": True},
        ),
        (
            ["users", "unmod", "u1"],
            "/api/admin/chat/users/setmoderator",
            {"userId": "u1", "isModerator": False},
        ),
        (["users", "delete", "u1", "--yes"], "/api/admin/users/delete", {"userId": "u1"}),
        (
            ["ipbans", "add", "203.0.113.9"],
            "/api/admin/chat/users/ipbans/create",
            {"value": "203.0.113.9"},
        ),
        (
            ["ipbans", "remove", "2001:db8::1"],
            "/api/admin/chat/users/ipbans/remove",
            {"value": "2001:db8::1"},
        ),
        (
            ["tokens", "create", "bot", "-s", "can_send_messages", "--scope", "HAS_ADMIN_ACCESS"],
            "/api/admin/accesstokens/create",
            {"name": "bot", "scopes": ["CAN_SEND_MESSAGES", "HAS_ADMIN_ACCESS"]},
        ),
        (
            ["tokens", "delete", "mybot"],
            "/api/admin/accesstokens/delete",
            {"token": "tok-aaaaaaaaaaaaaaaa"},
        ),
        (
            ["webhooks", "create", "https://h.example/x", "-e", "CHAT", "-e", "stream_started"],
            "/api/admin/webhooks/create",
            {"url": "https://h.example/x", "events": ["CHAT", "STREAM_STARTED"]},
        ),
        (["webhooks", "delete", "7", "--yes"], "/api/admin/webhooks/delete", {"id": 7}),
        (["emoji", "remove", ":party:"], "/api/admin/emoji/delete", {"name": "party.gif"}),
    ],
)
def test_actions_send_owncast_bodies(fake, ctl, args, path, body):
    fake.route("POST", path, {"success": True, "message": "ok", "accessToken": "t", "id": 1})
    fake.route("GET", "/api/admin/accesstokens", TOKENS)
    fake.route("GET", "/api/emoji", [{"name": "party", "url": "/img/emoji/party.gif"}])
    result = ctl(*args)
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", path) == [body]
    fake.fail("POST", path, 400, "nope, refused")
    failed = ctl(*args)
    assert failed.exit_code == 1 and "nope, refused" in failed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ipbans", "add", "not-an-ip"], "not an IP address"),
        (["tokens", "create", "bot", "--scope", "ROOT"], "unknown scope 'ROOT'"),
        (["webhooks", "create", "ftp://x", "-e", "CHAT"], "must start with http:// or https://"),
        (["webhooks", "create", "https://x.example", "-e", "NOPE"], "unknown event 'NOPE'"),
        (["users", "delete", "u1"], "pass --yes"),
        (["disconnect"], "pass --yes"),
        (["users", "list", "--status", "admins"], "must be one of moderators, banned, bots"),
        (["tokens", "delete", "unknown"], "no token or integration name matches"),
        (["emoji", "remove", "nope"], "no emoji named 'nope'"),
    ],
)
def test_usage_errors_exit_2_without_changing_anything(fake, ctl, args, message):
    fake.route("GET", "/api/admin/accesstokens", TOKENS)
    fake.route("GET", "/api/emoji", [])
    result = ctl(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert not [r for r in fake.requests if r.method == "POST"]


def test_disconnect(fake, ctl):
    fake.route("POST", "/api/admin/disconnect", OK)
    result = ctl("disconnect", "--yes")
    assert result.exit_code == 0 and "disconnected" in result.stdout
    assert [(r.method, r.url.path) for r in fake.requests] == [("POST", "/api/admin/disconnect")]


def test_tokens_create_prints_the_token(fake, ctl):
    fake.route(
        "POST",
        "/api/admin/accesstokens/create",
        {"accessToken": "new-token-value", "displayName": "bot", "scopes": ["CAN_SEND_MESSAGES"]},
    )
    result = ctl("tokens", "create", "bot", "-s", "CAN_SEND_MESSAGES")
    assert "new-token-value" in result.stdout
    assert (
        ctl("tokens", "create", "bot", "-s", "CAN_SEND_MESSAGES", "--json").json()["accessToken"]
        == "new-token-value"
    )


def test_emoji_add_uploads_a_data_uri(fake, ctl, tmp_path):
    fake.route("POST", "/api/admin/emoji/upload", OK)
    image = tmp_path / "wave.gif"
    image.write_bytes(b"GIF89a")
    assert ctl("emoji", "add", str(image)).exit_code == 0
    assert fake.sent("POST", "/api/admin/emoji/upload") == [
        {
            "name": "wave.gif",
            "data": "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode(),
        }
    ]
    text = tmp_path / "notes.txt"
    text.write_text("x")
    assert ctl("emoji", "add", str(text)).exit_code == 2


def test_webhooks_test_uses_the_server_route_when_present(fake, ctl):
    fake.route("GET", "/api/admin/webhooks", WEBHOOKS)
    fake.route("POST", "/api/admin/webhooks/test", {"success": True, "message": "delivered: 200"})
    result = ctl("webhooks", "test", "7")
    assert result.exit_code == 0 and "delivered: 200" in result.stdout


def test_webhooks_test_falls_back_to_a_sample_post(fake, ctl):
    hooks = [{**WEBHOOKS[0], "secret": "s3cret"}]
    fake.route("GET", "/api/admin/webhooks", hooks)
    received = []

    def receiver(request):
        received.append(request)
        return httpx.Response(204)

    fake.route("POST", "/owncast", receiver)  # the webhook URL's path on hooks.example
    result = ctl("webhooks", "test", "7")
    assert result.exit_code == 0, result.stderr
    assert "answered 204" in result.stdout and "from this machine" in result.stderr
    assert received[0].url.host == "hooks.example"
    assert received[0].headers["owncast-signature"].startswith("t=")
    assert ctl("webhooks", "test", "99").exit_code == 2


def test_config_uses_the_servers_key_list_not_a_copy(fake, ctl):
    # A key only this server knows: owncastctl parses it by the type the server gives.
    demo = {
        "key": "demo.level",
        "type": "integer",
        "default": 1,
        "applies": "now",
        "secret": False,
        "setter": "demolevel",
        "field": "",
        "shown": "demoLevel",
        "doc": "A demonstration key",
        "supported": True,
        "feature": "",
        "min": 1,
        "max": 3,
    }
    fake.route("GET", "/api/admin/config/keys", [demo])
    fake.route("GET", "/api/admin/serverconfig", {"demoLevel": 2})
    fake.route("POST", "/api/admin/config/demolevel", OK)
    refused = ctl("config", "set", "demo.level", "5")
    assert refused.exit_code == 2 and "demo.level must be 1..3 (got 5)" in refused.stderr
    assert ctl("config", "set", "demo.level", "3").exit_code == 0
    assert fake.sent("POST", "/api/admin/config/demolevel") == [{"value": 3}]
    assert ctl("config", "get", "demo.level").stdout.strip() == "2"
    keys = ctl("config", "keys", "--json").json()
    assert [row["key"] for row in keys] == ["demo.level"]
    unknown = ctl("config", "set", "server.name", "x")  # this server has no such key
    assert unknown.exit_code == 2 and "unknown key 'server.name'" in unknown.stderr


def test_chatwoot_escalate(fake, ctl):
    fake.route("POST", "/api/admin/chatwoot/escalate", {"success": True, "id": "r1"})
    assert ctl("chatwoot", "escalate", "m1", "--note", "spam").exit_code == 0
    assert ctl("chatwoot", "escalate", "--user", "u1").exit_code == 0
    assert ctl("chatwoot", "escalate").exit_code != 0  # neither a message nor a user
    assert fake.sent("POST", "/api/admin/chatwoot/escalate") == [
        {"note": "spam", "messageId": "m1"},
        {"note": "", "userId": "u1"},
    ]

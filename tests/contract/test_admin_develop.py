"""Owncast develop's admin additions as an admin client sees them (develop §5.5, §5.6): the
`autoplay` key, the develop federation keys (stored since issue 11), the
`serverurl` checks and messages, and `webhooks/create` with a chosen `secret`."""

from __future__ import annotations

import re

import pytest

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401


@pytest.mark.parametrize("mode", ["off", "always", "sound-only"])
async def test_autoplay_modes_are_stored_and_shown(admin: AdminHarness, mode):
    if mode == "off":
        await admin.set_config("autoplay", "always")
    response, body = await admin.set_config("autoplay", mode)
    assert (response.status_code, body) == (200, {"success": True, "message": "changed"})
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["instanceDetails"]["autoplay"] == mode
    _, public = await admin.get("/api/config", auth=False)
    assert public["autoplay"] == mode
    assert f'autoplay = "{mode}"' in admin.config_text()


@pytest.mark.parametrize(
    ("value", "shown"), [("loud", "loud"), ("Always", "Always"), ("", ""), (1, "a number")]
)
async def test_autoplay_refuses_other_values_with_owncasts_message(
    admin: AdminHarness, value, shown
):
    before = admin.config_text()
    response, body = await admin.set_config("autoplay", value)
    assert response.status_code == 400
    assert body == {"success": False, "message": f'invalid autoplay value "{shown}"'}
    assert admin.config_text() == before
    assert admin.settings.current.server.autoplay == "off"  # Owncast's default


@pytest.mark.parametrize(
    ("name", "field"),
    [("federation/hidefollowers", "hideFollowers"), ("federation/enablequotes", "enableQuotes")],
)
async def test_new_federation_keys_are_stored_now_that_federation_is_built(
    admin: AdminHarness, name, field
):
    # Issue 11: federation exists, so its develop setters store their value (they refused
    # with "federation is not supported yet" before).
    response, body = await admin.set_config(name, True)
    assert response.status_code == 200 and body["success"] is True
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["federation"][field] is True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://192.168.1.20:8080", "Server URL cannot be private"),
        ("https://10.0.0.5", "Server URL cannot be private"),
        ("https://172.16.4.4/", "Server URL cannot be private"),
        ("http://[fd12:3456::1]:8080", "Server URL cannot be private"),
        ("ftp://live.example.com", "server url value invalid"),
        ("https://", "server url value invalid"),
        (42, "could not read server url"),
        (None, "could not read server url"),
    ],
)
async def test_serverurl_refusals_use_owncasts_messages(admin: AdminHarness, value, message):
    before = admin.config_text()
    response, body = await admin.set_config("serverurl", value)
    assert response.status_code == 400
    assert body == {"success": False, "message": message}
    assert admin.config_text() == before


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://live.example.com/", "https://live.example.com"),  # trailing "/" trimmed
        ("https://live.example.com/owncast//", "https://live.example.com/owncast"),
        ("http://203.0.113.7:8080", "http://203.0.113.7:8080"),  # a public address
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),  # Go's IsPrivate: not loopback
        ("", ""),  # ours: "" still clears the URL
    ],
)
async def test_serverurl_accepts_and_trims(admin: AdminHarness, value, stored):
    response, _ = await admin.set_config("serverurl", value)
    assert response.status_code == 200
    assert admin.settings.current.server.url == stored
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["yp"]["instanceUrl"] == stored


async def test_webhook_create_takes_a_secret(admin: AdminHarness):
    body = {"url": "https://hooks.example/a", "events": ["CHAT"], "secret": "my-shared-secret"}
    response, hook = await admin.post("/api/admin/webhooks/create", body)
    assert response.status_code == 200
    assert hook["secret"] == "my-shared-secret"
    response, twin = await admin.post("/api/admin/webhooks/create", body)
    assert twin["secret"] == "my-shared-secret" and twin["id"] != hook["id"]
    response, generated = await admin.post(
        "/api/admin/webhooks/create", {"url": "https://hooks.example/b", "events": ["CHAT"]}
    )
    assert re.fullmatch(r"[0-9a-f]{64}", generated["secret"])
    _, listed = await admin.get("/api/admin/webhooks")
    assert [h["secret"] for h in listed][:2] == ["my-shared-secret"] * 2


@pytest.mark.parametrize("secret", [12, ["x"], "a\nb", "x" * 257])
async def test_webhook_create_refuses_a_bad_secret(admin: AdminHarness, secret):
    body = {"url": "https://hooks.example/a", "events": ["CHAT"], "secret": secret}
    response, answer = await admin.post("/api/admin/webhooks/create", body)
    assert response.status_code == 400 and answer["success"] is False
    _, listed = await admin.get("/api/admin/webhooks")
    assert listed == []


@pytest.mark.parametrize(
    ("setter", "key"),
    [("welcomemessage", "welcomeMessage"), ("offlinemessage", "offlineMessage")],
)
async def test_welcome_and_offline_messages_are_trimmed(admin: AdminHarness, setter, key):
    response, _ = await admin.set_config(setter, "\n  Back **soon**  \n\n")
    assert response.status_code == 200
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["instanceDetails"][key] == "Back **soon**"

"""Forged state changes (issue 16): a page on another origin, even of the same site (another
port or subdomain), cannot change anything through the admin's cached Basic credentials or a
moderator's token; owncastctl, curl and this origin's own pages still can. The real browser
attack is in tests/browser/test_forged_admin_requests.py."""

from __future__ import annotations

from typing import Any

import pytest

from owncastd.http.origin_guard import forged_reason, is_guarded
from tests.component.integration_fixtures import IntegrationServer, start_integration_server

JSON = {"Content-Type": "application/json"}
CROSS = [
    {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "empty"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "empty"},
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "document"},  # a form in chat
    {"Origin": "http://127.0.0.1:1"},  # no Fetch Metadata, another origin
    {"Origin": "null"},
]


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


def own(server: IntegrationServer) -> dict[str, str]:
    """What chromium sends for a fetch() from the server's own page."""
    return {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}


async def title(server: IntegrationServer) -> Any:
    return server.settings.current.server.stream_title


@pytest.mark.parametrize("headers", CROSS)
async def test_admin_setters_refuse_other_origins(server: IntegrationServer, headers) -> None:
    response = await server.admin(
        "POST",
        "/api/admin/config/streamtitle",
        json={"value": "pwned"},
        headers=headers,
    )
    assert response.status_code == 403, response.text
    assert response.json()["success"] is False
    assert await title(server) != "pwned"
    password = await server.admin(
        "POST", "/api/admin/config/adminpass", json={"value": "attacker-pass"}, headers=headers
    )
    assert password.status_code == 403
    assert (await server.admin("GET", "/api/admin/status")).status_code == 200  # unchanged


@pytest.mark.parametrize(
    "headers",
    [
        {},  # owncastctl and curl: no Fetch Metadata, no Origin
        {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
        {"Origin": "http://{host}"},  # an older browser on this origin
    ],
)
async def test_admin_clients_and_this_origin_are_served(server: IntegrationServer, headers):
    headers = {k: v.format(host=f"127.0.0.1:{server.port}") for k, v in headers.items()}
    response = await server.admin(
        "POST", "/api/admin/config/streamtitle", json={"value": "genuine"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert await title(server) == "genuine"


async def test_without_credentials_the_answer_is_still_401(server: IntegrationServer) -> None:
    async with server.http() as client:
        response = await client.post(
            "/api/admin/config/streamtitle", json={"value": "x"}, headers=CROSS[1]
        )
    assert response.status_code == 401


@pytest.mark.parametrize("headers", CROSS)
async def test_moderator_routes_refuse_other_origins(server: IntegrationServer, headers) -> None:
    mod, _mod_ws = await server.join("mod")
    victim, _ = await server.join("victim")
    made = await server.admin(
        "POST",
        "/api/admin/chat/users/setmoderator",
        json={"userId": mod["id"], "isModerator": True},
    )
    assert made.status_code == 200, made.text
    token = {"accessToken": mod["accessToken"]}
    async with server.http() as client:
        body = {"userId": victim["id"], "enabled": False}
        forged = await client.post(
            "/api/chat/users/setenabled", params=token, json=body, headers=headers
        )
        assert forged.status_code == 403, forged.text
        assert not (await server.chat_store.user(victim["id"])).disabled
        genuine = await client.post(
            "/api/chat/users/setenabled", params=token, json=body, headers=own(server)
        )
        assert genuine.status_code == 200, genuine.text
    assert (await server.chat_store.user(victim["id"])).disabled


async def test_integrations_and_registration_stay_open_to_other_origins(
    server: IntegrationServer,
) -> None:
    """A bearer token is never attached by a browser on its own; Owncast serves integrations
    and registration to any origin."""
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    response = await server.bearer(
        "POST", "/api/integrations/streamtitle", token, json={"value": "bot"}, headers=CROSS[1]
    )
    assert response.status_code == 200, response.text
    async with server.http() as client:
        registered = await client.post("/api/chat/register", json={}, headers=CROSS[1])
        assert registered.status_code == 200


async def test_a_typeless_body_is_415_everywhere_json_is_read(server: IntegrationServer) -> None:
    """The reported attack's body: a no-cors fetch with a Blob sends no Content-Type."""
    for path, body in [
        ("/api/admin/config/streamtitle", b'{"value": "blob"}'),
        ("/api/admin/chat/users/ipbans/create", b'{"value": "203.0.113.7"}'),
        ("/api/admin/emoji/delete", b'{"name": "x.png"}'),
        ("/api/admin/accesstokens/create", b'{"name": "x", "scopes": ["CAN_SEND_MESSAGES"]}'),
    ]:
        response = await server.admin("POST", path, content=body)
        assert response.status_code == 415, (path, response.text)
        assert "Content-Type" in response.json()["message"]
    assert await title(server) != "blob"


def test_which_requests_are_guarded() -> None:
    assert is_guarded("POST", "/api/admin/config/name")
    assert is_guarded("DELETE", "/api/admin/prometheus")
    assert is_guarded("GET", "/api/admin/update/forcequit")
    assert is_guarded("POST", "/api/moderation/anything")
    assert is_guarded("POST", "/api/chat/users/setenabled")
    assert not is_guarded("GET", "/api/admin/serverconfig")
    assert not is_guarded("OPTIONS", "/api/admin/config/name")
    assert not is_guarded("POST", "/api/chat/register")
    assert not is_guarded("POST", "/api/integrations/streamtitle")


@pytest.mark.parametrize(
    ("site", "dest", "origin", "refused"),
    [
        (None, None, None, False),
        ("same-origin", "empty", "https://proxy.example", False),  # Host rewritten by a proxy
        ("none", "document", None, False),
        ("same-site", "empty", None, True),
        ("CROSS-SITE", "empty", None, True),
        ("same-origin", "image", None, True),
        (None, None, "http://own.example:80", False),
        (None, None, "HTTP://OWN.EXAMPLE", False),
        (None, None, "https://own.example", True),  # another scheme is another origin
        (None, None, "http://own.example:8080", True),
        (None, None, "http://evil.example", True),
    ],
)
def test_forged_reason(site, dest, origin, refused) -> None:
    reason = forged_reason(site, dest, origin, "http://own.example")
    assert (reason is not None) is refused, reason

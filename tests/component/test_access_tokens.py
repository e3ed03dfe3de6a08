"""`/api/admin/accesstokens` and the bearer check every integration route makes (§1.2, §3).

A real server (chat + control plane) on loopback, driven with httpx.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from owncastd.core.chat.models import rfc3339
from tests.chat_ws_client import ChatWs, Refused
from tests.component.app_fixtures import START
from tests.component.integration_fixtures import IntegrationServer, start_integration_server

ALL_SCOPES = ("CAN_SEND_MESSAGES", "CAN_SEND_SYSTEM_MESSAGES", "HAS_ADMIN_ACCESS")
ADMIN_ROUTES = [
    ("GET", "/api/admin/accesstokens", None),
    ("POST", "/api/admin/accesstokens/create", {"name": "x", "scopes": ["HAS_ADMIN_ACCESS"]}),
    ("POST", "/api/admin/accesstokens/delete", {"token": "x"}),
]


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


async def listed(server: IntegrationServer) -> list[dict]:
    response = await server.admin("GET", "/api/admin/accesstokens")
    assert response.status_code == 200
    return response.json()


def digest_of(created: dict) -> str:
    """How the list shows a token: `sha256:` and the hex digest of the token."""
    return "sha256:" + hashlib.sha256(created["accessToken"].encode()).hexdigest()


async def test_create_answers_owncasts_external_api_user(server):
    created = await server.create_token("CAN_SEND_MESSAGES", "HAS_ADMIN_ACCESS", name="My Bot")
    token = created["accessToken"]
    assert len(token) == 44 and len(base64.urlsafe_b64decode(token)) == 32
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}=", token)
    assert created["displayName"] == "My Bot"
    assert 0 <= created["displayColor"] <= 7
    assert created["scopes"] == ["CAN_SEND_MESSAGES", "HAS_ADMIN_ACCESS"]
    assert created["createdAt"] == rfc3339(START)
    assert created["isBot"] is True and created["type"] == "API" and created["id"]
    assert "lastUsedAt" not in created
    # the list names the token by its SHA-256 digest (the token itself is shown only once)
    assert await listed(server) == [{**created, "accessToken": digest_of(created)}]
    # stored as a bot user, as Owncast does
    users = (await server.admin("GET", "/api/admin/users?status=bots")).json()
    assert [u["displayName"] for u in users["results"]] == ["My Bot"]
    assert users["results"][0]["isBot"] is True


async def test_tokens_are_unique_and_scopes_deduplicated(server):
    first = await server.create_token("HAS_ADMIN_ACCESS", "HAS_ADMIN_ACCESS", name="a")
    second = await server.create_token("HAS_ADMIN_ACCESS", name="b")
    assert first["scopes"] == ["HAS_ADMIN_ACCESS"]
    assert first["accessToken"] != second["accessToken"] and first["id"] != second["id"]
    assert [t["displayName"] for t in await listed(server)] == ["a", "b"]


async def test_last_used_is_recorded_after_a_call(server):
    created = await server.create_token("HAS_ADMIN_ACCESS")
    server.wall.advance(60)
    response = await server.bearer("GET", "/api/integrations/clients", created["accessToken"])
    assert response.status_code == 200
    [entry] = await listed(server)
    assert entry["lastUsedAt"] == rfc3339(server.wall())


async def test_deleted_token_is_refused_at_once(server):
    created = await server.create_token("HAS_ADMIN_ACCESS")
    token = created["accessToken"]
    assert (await server.bearer("GET", "/api/integrations/chat", token)).status_code == 200
    response = await server.admin("POST", "/api/admin/accesstokens/delete", json={"token": token})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "deleted token"}
    refused = await server.bearer("GET", "/api/integrations/chat", token)
    assert refused.status_code == 401 and refused.text == "unauthorized"
    assert await listed(server) == []
    again = await server.admin("POST", "/api/admin/accesstokens/delete", json={"token": token})
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scopes": ["HAS_ADMIN_ACCESS"]}, "name is required"),
        ({"name": "bot"}, "scopes is required"),
        ({"name": "", "scopes": ["HAS_ADMIN_ACCESS"]}, "name must not be empty"),
        ({"name": 7, "scopes": ["HAS_ADMIN_ACCESS"]}, "name is required and must be a string"),
        ({"name": "a\nb", "scopes": ["HAS_ADMIN_ACCESS"]}, "control characters"),
        ({"name": "x" * 101, "scopes": ["HAS_ADMIN_ACCESS"]}, "at most 100"),
        ({"name": "bot", "scopes": []}, "at least one"),
        ({"name": "bot", "scopes": "HAS_ADMIN_ACCESS"}, "must be an array"),
        ({"name": "bot", "scopes": ["MODERATOR"]}, "invalid scopes"),
        ({"name": "bot", "scopes": ["HAS_ADMIN_ACCESS", "ROOT"]}, "'ROOT'"),
        ({"name": "bot", "scopes": [1]}, "array of strings"),
        ([], "a JSON object was expected"),
    ],
)
async def test_create_refuses_bad_input_and_changes_nothing(server, body, message):
    response = await server.admin("POST", "/api/admin/accesstokens/create", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False and message in response.json()["message"]
    assert await listed(server) == []
    users = (await server.admin("GET", "/api/admin/users")).json()
    assert users["total"] == 0
    # What a good body does to the same two views, so the checks above read the right things.
    created = await server.create_token("HAS_ADMIN_ACCESS", name="bot")
    assert await listed(server) == [{**created, "accessToken": digest_of(created)}]
    assert (await server.admin("GET", "/api/admin/users")).json()["total"] == 1


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"name": "bot", "scopes": [', "application/json", 400),
        (b"", "application/json", 400),
        (b"name=bot", "application/x-www-form-urlencoded", 415),
    ],
)
async def test_create_refuses_malformed_bodies(server, content, content_type, status):
    response = await server.admin(
        "POST",
        "/api/admin/accesstokens/create",
        content=content,
        headers={"Content-Type": content_type},
    )
    assert response.status_code == status
    assert await listed(server) == []


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": 5}, {"token": "nope"}])
async def test_delete_refuses_bad_or_unknown_tokens(server, body):
    created = await server.create_token("HAS_ADMIN_ACCESS")
    response = await server.admin("POST", "/api/admin/accesstokens/delete", json=body)
    assert response.status_code == 400
    assert await listed(server) == [{**created, "accessToken": digest_of(created)}]


async def test_delete_ignores_chat_user_tokens(server):
    user, ws = await server.join("viewer")
    response = await server.admin(
        "POST", "/api/admin/accesstokens/delete", json={"token": user["accessToken"]}
    )
    assert response.status_code == 400
    again = await ChatWs.connect(server.port, user["accessToken"])  # the chat token still works
    assert not isinstance(again, Refused), again
    assert (await again.next_event("CONNECTED_USER_INFO"))["user"]["id"] == user["id"]
    bot = await server.create_token("HAS_ADMIN_ACCESS")  # and the route does delete a real one
    deleted = await server.admin(
        "POST", "/api/admin/accesstokens/delete", json={"token": bot["accessToken"]}
    )
    assert deleted.status_code == 200
    await again.aclose()
    await ws.aclose()


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_admin_routes_need_the_admin(server, method, path, body):
    async with server.http() as client:
        anonymous = await client.request(method, path, json=body)
        wrong = await client.request(method, path, json=body, auth=("admin", "wrong"))
        token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
        bearer = await client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
    for response in (anonymous, wrong, bearer):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert len(await listed(server)) == 1  # only the one made above
    admin = await server.admin(method, path, json=body)  # the admin's password does get in
    assert admin.status_code == (400 if path.endswith("/delete") else 200), admin.text


# ---- the bearer check -------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
async def test_bearer_prefix_is_case_insensitive(server, scheme):
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    response = await server.bearer("GET", "/api/integrations/clients", token, scheme=scheme)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_refusals_are_401_unauthorized(server):
    token = (await server.create_token("CAN_SEND_MESSAGES"))["accessToken"]
    user, ws = await server.join("viewer")
    async with server.http() as client:
        cases = {
            "no header": {},
            "basic": {"Authorization": f"Basic {token}"},
            "token without scheme": {"Authorization": token},
            "bare scheme": {"Authorization": "Bearer"},
            "unknown token": {"Authorization": "Bearer " + "A" * 43 + "="},
            "huge token": {"Authorization": "Bearer " + "A" * 5000},
            "wrong scope": {"Authorization": f"Bearer {token}"},
            "chat user token": {"Authorization": f"Bearer {user['accessToken']}"},
        }
        for case, headers in cases.items():
            response = await client.get("/api/integrations/chat", headers=headers)
            assert response.status_code == 401, case
            assert response.text == "unauthorized", case
            assert "Access-Control-Allow-Origin" not in response.headers, case
        admin = await client.get("/api/integrations/chat", auth=("admin", "correct horse"))
        assert admin.status_code == 401
        # The same request with a token of the right scope is answered.
        reader = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
        allowed = await client.get(
            "/api/integrations/chat", headers={"Authorization": f"Bearer {reader}"}
        )
        assert allowed.status_code == 200 and isinstance(allowed.json(), list)
        assert allowed.headers["Access-Control-Allow-Origin"] == "*"
    await ws.aclose()


async def test_options_preflight_is_open(server):
    async with server.http() as client:
        response = await client.options("/api/integrations/chat/send")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


async def test_errors_of_an_authorised_call_carry_cors(server):
    token = (await server.create_token("CAN_SEND_MESSAGES"))["accessToken"]
    response = await server.bearer("POST", "/api/integrations/chat/send", token, json={})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_tokens_survive_a_rebuilt_control_plane(server):
    """Tokens live in SQLite: a fresh AccessTokenStore over the same database finds them."""
    from owncastd.store.access_tokens import AccessTokenStore

    created = await server.create_token(*ALL_SCOPES)
    fresh = AccessTokenStore(server.store)
    found = await fresh.find(created["accessToken"])
    assert found is not None and found.scopes == ALL_SCOPES

"""Owncast's develop-branch integration routes as a bot sees them (develop §5.4): status,
headers and JSON shape of `GET /api/integrations/status` and of the user details at
`/api/integrations/moderation/chat/user/{userId}` and its moderator twin."""

from __future__ import annotations

import pytest

from owncastd import OWNCAST_API_VERSION
from tests.component.integration_fixtures import IntegrationServer, start_integration_server

ADMIN = "HAS_ADMIN_ACCESS"
STATUS_TYPES = {
    "online": bool,
    "viewerCount": int,
    "overallMaxViewerCount": int,
    "sessionMaxViewerCount": int,
    "lastConnectTime": (str, type(None)),
    "lastDisconnectTime": (str, type(None)),
    "versionNumber": str,
    "streamTitle": str,
    "owncastdVersion": str,  # ours, beside Owncast's fields
}
CLIENT_FIELDS = {"connectedAt", "userAgent", "id", "messageCount"}  # `geo` omitted when unknown


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


async def token(server: IntegrationServer, *scopes: str) -> str:
    return (await server.create_token(*scopes, name="Status Bot"))["accessToken"]


async def test_status_needs_an_admin_access_token(server: IntegrationServer):
    async with server.http() as client:
        assert (await client.get("/api/integrations/status")).status_code == 401
        preflight = await client.options("/api/integrations/status")
        assert preflight.status_code == 204
    weak = await token(server, "CAN_SEND_MESSAGES", "CAN_SEND_SYSTEM_MESSAGES")
    refused = await server.bearer("GET", "/api/integrations/status", weak)
    assert (refused.status_code, refused.text) == (401, "unauthorized")


async def test_status_shape_times_null_and_count_not_hidden(server: IntegrationServer):
    server.configure("server", hide_viewer_count=True, stream_title="Nest cam")
    response = await server.bearer("GET", "/api/integrations/status", await token(server, ADMIN))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    status = response.json()
    assert set(status) == set(STATUS_TYPES), set(status) ^ set(STATUS_TYPES)
    for name, kind in STATUS_TYPES.items():
        assert isinstance(status[name], kind), (name, status[name])
    assert status["viewerCount"] == 0, "not hidden (nor omitted) here, unlike /api/status"
    assert status["lastConnectTime"] is None and status["lastDisconnectTime"] is None
    assert status["versionNumber"] == OWNCAST_API_VERSION
    assert status["streamTitle"] == "Nest cam"


async def test_status_after_a_stream_has_both_times(server: IntegrationServer):
    server.stream.begin("203.0.113.9").end()
    status = (
        await server.bearer("GET", "/api/integrations/status", await token(server, ADMIN))
    ).json()
    assert status["online"] is False
    assert isinstance(status["lastConnectTime"], str)
    assert isinstance(status["lastDisconnectTime"], str)


async def test_user_details_unknown_user_is_404_with_an_empty_body(server: IntegrationServer):
    path = "/api/integrations/moderation/chat/user/nobody"
    response = await server.bearer("GET", path, await token(server, ADMIN))
    assert response.status_code == 404
    assert response.content == b""
    weak = await token(server, "CAN_SEND_MESSAGES")
    assert (await server.bearer("GET", path, weak)).status_code == 401


async def test_user_details_shape_for_integrations_and_moderators(server: IntegrationServer):
    server.stream.begin("203.0.113.9")  # live: chat accepts messages
    alice, ws = await server.join("alice")
    await ws.send_json({"type": "CHAT", "body": "hello there"})
    await ws.next_event("CHAT")
    path = f"/api/integrations/moderation/chat/user/{alice['id']}"
    response = await server.bearer("GET", path, await token(server, ADMIN))
    assert response.status_code == 200
    details = response.json()
    assert set(details) == {"user", "connectedClients", "messages"}
    assert details["user"]["id"] == alice["id"]
    assert details["user"]["displayName"] == "alice"
    [client] = details["connectedClients"]
    assert set(client) == CLIENT_FIELDS
    assert isinstance(client["id"], int) and client["messageCount"] == 1
    [message] = details["messages"]
    assert message["type"] == "CHAT" and "hello there" in message["body"]
    assert message["user"]["id"] == alice["id"]

    mod, _ = await server.join("mod")
    await server.admin(
        "POST",
        "/api/admin/chat/users/setmoderator",
        json={"userId": mod["id"], "isModerator": True},
    )
    token_param = {"accessToken": mod["accessToken"]}
    async with server.http() as client_:
        twin = await client_.get(f"/api/moderation/chat/user/{alice['id']}", params=token_param)
        assert twin.status_code == 200
        assert twin.json() == details
        missing = await client_.get("/api/moderation/chat/user/nobody", params=token_param)
        assert (missing.status_code, missing.content) == (404, b"")


async def test_a_new_stream_title_is_announced_in_chat_not_saved(server: IntegrationServer):
    _, ws = await server.join("viewer")
    admin_token = await token(server, ADMIN)
    for title in ("Nest day 5", "", "Nest day 6"):
        response = await server.bearer(
            "POST", "/api/integrations/streamtitle", admin_token, json={"value": title}
        )
        assert response.status_code == 200
    # The empty title announced nothing: the next two actions are for the two real titles.
    first = await ws.next_event("CHAT_ACTION")
    second = await ws.next_event("CHAT_ACTION")
    assert "Stream title changed to <strong>Nest day 5</strong>" in first["body"]
    assert "Stream title changed to <strong>Nest day 6</strong>" in second["body"]
    saved = (await server.admin("GET", "/api/admin/chat/messages")).json()
    assert not any("Stream title changed" in m["body"] for m in saved), "ephemeral, as Owncast"

"""`/api/integrations/…` (§1.7): what a bot sees in chat, per route, with real websocket viewers.

Every route: the happy path as a viewer or the admin would notice it, the scope check, and bad
input refused with nothing changed.
"""

from __future__ import annotations

import tomllib

import pytest
import trio

from tests.component.integration_fixtures import IntegrationServer, start_integration_server

SYSTEM = "CAN_SEND_SYSTEM_MESSAGES"
MESSAGES = "CAN_SEND_MESSAGES"
ADMIN = "HAS_ADMIN_ACCESS"
ROUTES = [
    ("POST", "/api/integrations/chat/system", SYSTEM, {"body": "hi"}),
    ("POST", "/api/integrations/chat/system/client/1", SYSTEM, {"body": "hi"}),
    ("POST", "/api/integrations/chat/action", SYSTEM, {"body": "hi"}),
    ("POST", "/api/integrations/chat/send", MESSAGES, {"body": "hi"}),
    ("POST", "/api/integrations/chat/user", MESSAGES, {"body": "hi"}),
    ("POST", "/api/integrations/chat/messagevisibility", ADMIN, {"idArray": [], "visible": True}),
    ("GET", "/api/integrations/chat", ADMIN, None),
    ("GET", "/api/integrations/clients", ADMIN, None),
    ("POST", "/api/integrations/streamtitle", ADMIN, {"value": "t"}),
]
SEND_ROUTES = [r for r in ROUTES if r[3] == {"body": "hi"} and not r[1].endswith("/user")]


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    server = await start_integration_server(nursery, tmp_path)
    server.stream.begin("203.0.113.9")  # live: chat accepts messages
    return server


async def token(server: IntegrationServer, *scopes: str, name: str = "Helper Bot") -> str:
    return (await server.create_token(*scopes, name=name))["accessToken"]


async def history(server: IntegrationServer) -> list[dict]:
    return (await server.bearer("GET", "/api/integrations/chat", await token(server, ADMIN))).json()


async def saved_ids(server: IntegrationServer) -> set[str]:
    """Ids of every stored message (the admin's view)."""
    response = await server.admin("GET", "/api/admin/chat/messages")
    return {m["id"] for m in response.json()}


async def no_messages(ws, wait: float) -> None:
    """Assert no SYSTEM, CHAT or CHAT_ACTION reaches `ws` within `wait` seconds."""
    with trio.move_on_after(wait):
        while True:
            event = await ws.next_event(timeout=wait + 1)
            assert event["type"] not in ("SYSTEM", "CHAT", "CHAT_ACTION"), event


@pytest.mark.parametrize(("method", "path", "scope", "body"), ROUTES)
async def test_every_route_checks_its_scope(server, method, path, scope, body):
    others = [s for s in (SYSTEM, MESSAGES, ADMIN) if s != scope]
    right = await server.bearer(method, path, await token(server, scope), json=body)
    # Past the scope check with the right token: the route's own answer (client 1 is not
    # connected; /chat/user is Owncast's retired route).
    expected = 400 if path.endswith(("/client/1", "/chat/user")) else 200
    assert right.status_code == expected, right.text
    assert right.text != "unauthorized"
    wrong = await token(server, *others)
    response = await server.bearer(method, path, wrong, json=body)
    assert response.status_code == 401 and response.text == "unauthorized"
    async with server.http() as client:
        anonymous = await client.request(method, path, json=body)
        preflight = await client.options(path)
    assert anonymous.status_code == 401
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


async def test_system_message_reaches_everyone_and_is_saved(server):
    _, ws = await server.join("viewer")
    bot = await token(server, SYSTEM)
    response = await server.bearer(
        "POST", "/api/integrations/chat/system", bot, json={"body": "Server **notice**"}
    )
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "sent"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    event = await ws.next_event("SYSTEM")
    assert "<strong>notice</strong>" in event["body"]
    assert event["user"]["displayName"] == server.settings.current.server.name
    assert event["id"] in await saved_ids(server)
    # no user row: kept out of the user-facing history, as in Owncast (§2.8)
    assert event["id"] not in {m["id"] for m in await history(server)}
    await ws.aclose()


async def test_system_message_to_one_client(server):
    _, alice = await server.join("alice")
    _, bob = await server.join("bob")
    clients = (
        await server.bearer("GET", "/api/integrations/clients", await token(server, ADMIN))
    ).json()
    alice_id = next(c["id"] for c in clients if c["user"]["displayName"] == "alice")
    bot = await token(server, SYSTEM)
    response = await server.bearer(
        "POST", f"/api/integrations/chat/system/client/{alice_id}", bot, json={"body": "psst"}
    )
    assert response.status_code == 200, response.text
    assert "psst" in (await alice.next_event("SYSTEM"))["body"]
    await bob.no_event("SYSTEM", wait=0.3)
    for bad in ("999", "abc", "-1", "1.5", "9" * 30):
        refused = await server.bearer(
            "POST", f"/api/integrations/chat/system/client/{bad}", bot, json={"body": "psst"}
        )
        assert refused.status_code == 400, bad
    await alice.no_event("SYSTEM", wait=0.2)
    await alice.aclose()
    await bob.aclose()


async def test_chat_action_is_broadcast_and_saved(server):
    _, ws = await server.join("viewer")
    bot = await token(server, SYSTEM)
    response = await server.bearer(
        "POST", "/api/integrations/chat/action", bot, json={"body": "*waves*"}
    )
    assert response.status_code == 200
    event = await ws.next_event("CHAT_ACTION")
    assert "<em>waves</em>" in event["body"]
    assert event["id"] in await saved_ids(server)
    await ws.aclose()


async def test_bot_message_appears_as_the_bot_with_is_bot(server):
    _, ws = await server.join("viewer")
    created = await server.create_token(MESSAGES, name="Score Bot")
    response = await server.bearer(
        "POST", "/api/integrations/chat/send", created["accessToken"], json={"body": "1 - 0"}
    )
    assert response.status_code == 200, response.text
    event = await ws.next_event("CHAT")
    assert event["body"] == "<p>1 - 0</p>"
    assert event["user"]["isBot"] is True
    assert event["user"]["displayName"] == "Score Bot"
    assert event["user"]["id"] == created["id"]
    assert event["user"]["displayColor"] == created["displayColor"]
    [saved] = [m for m in await history(server) if m["type"] == "CHAT"]
    assert saved["user"]["isBot"] is True and saved["user"]["displayName"] == "Score Bot"
    await ws.aclose()


async def test_chat_user_route_is_gone(server):
    bot = await token(server, MESSAGES)
    response = await server.bearer(
        "POST", "/api/integrations/chat/user", bot, json={"body": "hi", "user": {}}
    )
    assert response.status_code == 400
    assert "no longer supported" in response.json()["message"]


@pytest.mark.parametrize(("method", "path", "scope", "body"), SEND_ROUTES)
@pytest.mark.parametrize(
    "bad",
    [{}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": None}, {"body": "x" * 10_001}],
)
async def test_message_routes_refuse_bad_bodies(server, method, path, scope, body, bad):
    _, ws = await server.join("viewer")
    bot = await token(server, scope)
    response = await server.bearer(method, path, bot, json=bad)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False
    await no_messages(ws, wait=0.2)
    assert await saved_ids(server) == set()
    # The good body on the same route does reach the viewer (the one-client route gets the
    # viewer's client id instead of 1).
    clients = await server.bearer("GET", "/api/integrations/clients", await token(server, ADMIN))
    [viewer_id] = [c["id"] for c in clients.json()]
    good = await server.bearer(method, path.replace("/1", f"/{viewer_id}"), bot, json=body)
    assert good.status_code == 200, good.text
    route = path.removeprefix("/api/integrations")
    kind = {"/chat/action": "CHAT_ACTION", "/chat/send": "CHAT"}.get(route, "SYSTEM")
    assert "hi" in (await ws.next_event(kind))["body"]
    await ws.aclose()


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [(b'{"body": ', "application/json", 400), (b"body=hi", "text/plain", 415)],
)
async def test_message_routes_refuse_malformed_json(server, content, content_type, status):
    bot = await token(server, SYSTEM)
    response = await server.bearer(
        "POST",
        "/api/integrations/chat/system",
        bot,
        content=content,
        headers={"Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_message_visibility_hides_and_shows(server):
    _, ws = await server.join("viewer")
    await ws.send_json({"type": "CHAT", "body": "rude words"})
    message = await ws.next_event("CHAT")
    admin = await token(server, ADMIN)
    assert message["id"] in {m["id"] for m in await history(server)}
    response = await server.bearer(
        "POST",
        "/api/integrations/chat/messagevisibility",
        admin,
        json={"idArray": [message["id"]], "visible": False},
    )
    assert response.status_code == 200
    update = await ws.next_event("VISIBILITY-UPDATE")
    assert update["ids"] == [message["id"]] and update["visible"] is False
    assert message["id"] not in {m["id"] for m in await history(server)}
    for bad in ({"idArray": "x", "visible": True}, {"idArray": [1], "visible": True}, {}):
        refused = await server.bearer(
            "POST", "/api/integrations/chat/messagevisibility", admin, json=bad
        )
        assert refused.status_code == 400
    shown = await server.bearer(
        "POST",
        "/api/integrations/chat/messagevisibility",
        admin,
        json={"idArray": [message["id"]], "visible": True},
    )
    assert shown.status_code == 200
    assert message["id"] in {m["id"] for m in await history(server)}
    await ws.aclose()


async def test_history_and_clients(server):
    _, ws = await server.join("viewer")
    await ws.send_json({"type": "CHAT", "body": "hello"})
    await ws.next_event("CHAT")
    admin = await token(server, ADMIN)
    chat = (await server.bearer("GET", "/api/integrations/chat", admin)).json()
    assert [(m["type"], m["body"]) for m in chat if m["type"] == "CHAT"] == [
        ("CHAT", "<p>hello</p>")
    ]
    clients = await server.bearer("GET", "/api/integrations/clients", admin)
    assert clients.status_code == 200
    [client] = clients.json()
    assert client["user"]["displayName"] == "viewer" and "ipAddress" not in client
    await ws.aclose()


async def test_stream_title_is_applied_and_persisted(server):
    admin = await token(server, ADMIN)
    response = await server.bearer(
        "POST", "/api/integrations/streamtitle", admin, json={"value": "Speedrun night"}
    )
    assert response.status_code == 200, response.text
    assert server.settings.current.server.stream_title == "Speedrun night"
    on_disk = tomllib.loads(server.config_path.read_text())
    assert on_disk["server"]["stream_title"] == "Speedrun night"
    async with server.http() as client:
        assert (await client.get("/api/status")).json()["streamTitle"] == "Speedrun night"


@pytest.mark.parametrize(
    "body", [{}, {"value": 5}, {"value": "two\nlines"}, {"value": "x" * 256}, {"title": "x"}]
)
async def test_stream_title_refuses_bad_values(server, body):
    before = server.config_path.read_text()
    admin = await token(server, ADMIN)
    response = await server.bearer("POST", "/api/integrations/streamtitle", admin, json=body)
    assert response.status_code == 400
    assert server.config_path.read_text() == before
    assert server.settings.current.server.stream_title == ""

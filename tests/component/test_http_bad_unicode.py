"""Lone UTF-16 surrogates (`"\\ud800"` spelt as a JSON escape) are refused at the JSON
boundary: a 400 with a message on HTTP routes, an ignored frame on the chat websocket. Before,
they got 500s with tracebacks (the text could not be encoded for SQLite or the answer) and
dropped the websocket without a close frame."""

from __future__ import annotations

import logging

import pytest

from owncastd.core.json_text import lone_surrogate_path
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.component.chat_fixtures import ADMIN_PASSWORD, ChatServer, chat_fixture
from tests.component.integration_fixtures import start_integration_server

__all__ = ["chat_fixture"]

JSON = {"Content-Type": "application/json"}
LONE = [
    b'{"displayName": "\\ud800"}',
    b'{"displayName": "ok\\udfffok"}',  # a low surrogate alone
    b'{"displayName": "\\udc00\\ud800"}',  # the wrong order is not a pair
    b'{"displayName": "x", "\\ud800": 1}',  # in a key
]


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("body", LONE)
async def test_register_with_a_lone_surrogate_is_a_400_with_a_message(
    chat: ChatServer, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    async with chat.http() as client:
        response = await client.post("/api/chat/register", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["success"] is False and "surrogate" in answer["message"]
    assert not errors(caplog)
    # A real pair is a real character and still welcome.
    assert (await chat.register("\U0001f600 pal"))["displayName"] == "\U0001f600 pal"


async def test_chat_admin_and_moderator_routes_answer_400(
    chat: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"userId": "\\ud800", "enabled": false}'
    async with chat.http() as client:
        response = await client.post(
            "/api/admin/chat/users/setenabled",
            content=body,
            headers=JSON,
            auth=("admin", ADMIN_PASSWORD),
        )
        assert response.status_code == 400 and "surrogate" in response.json()["message"]
        response = await client.post(
            "/api/admin/chat/users/ipbans/create",
            content=b'{"value": "\\ud800"}',
            headers=JSON,
            auth=("admin", ADMIN_PASSWORD),
        )
        assert response.status_code == 400 and "surrogate" in response.json()["message"]
    assert not errors(caplog)


@pytest.mark.parametrize("setter", ["streamtitle", "name", "tags", "welcomemessage"])
async def test_setters_answer_400_and_change_nothing(
    admin: AdminHarness, caplog: pytest.LogCaptureFixture, setter: str
) -> None:
    before = admin.config_text()
    value = b'["\\ud800"]' if setter == "tags" else b'"\\ud800"'
    response, body = await admin.post(
        f"/api/admin/config/{setter}", data=b'{"value": ' + value + b"}", headers=JSON
    )
    assert response.status_code == 400, body
    assert body["success"] is False and "surrogate" in body["message"]
    assert admin.config_text() == before
    assert not errors(caplog)


async def test_a_lone_surrogate_frame_is_ignored_and_the_sender_chats_on(
    chat: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    _, alice_ws = await chat.join("alice")
    _, bob_ws = await chat.join("bob")
    await alice_ws.send_text('{"type": "CHAT", "body": "\\ud800"}')
    await alice_ws.send_text('{"type": "NAME_CHANGE", "newName": "x\\udc00"}')
    await alice_ws.send_text('{"type": "CHAT", "body": "still here"}')
    event = await bob_ws.next_event("CHAT")
    assert event["body"] == "<p>still here</p>" or "still here" in event["body"]
    assert event["user"]["displayName"] == "alice"
    assert not alice_ws.closed
    assert not errors(caplog)


def test_lone_surrogate_path_names_where() -> None:
    assert lone_surrogate_path({"a": [1, {"b": "\ud800"}]}) == "$.a[1].b"
    assert lone_surrogate_path({"\udfff": 1}) == "$ (a key)"
    assert lone_surrogate_path(["\U0001f600", {"k": "v"}, None, 3.5]) is None
    deep: list[object] = ["\ud800"]
    for _ in range(10_000):
        deep = [deep]
    assert lone_surrogate_path(deep) is not None


async def test_integration_routes_answer_400(tmp_path, nursery) -> None:
    server = await start_integration_server(nursery, tmp_path)
    token = (await server.create_token("CAN_SEND_MESSAGES", "HAS_ADMIN_ACCESS"))["accessToken"]
    for path, body in [
        ("/api/integrations/chat/send", b'{"body": "hi \\ud800"}'),
        ("/api/integrations/streamtitle", b'{"value": "\\udfff"}'),
    ]:
        response = await server.bearer("POST", path, token, content=body, headers=JSON)
        assert response.status_code == 400, (path, response.text)
        assert "surrogate" in response.json()["message"]

"""`/api/admin/chatwoot/setup` and `/status` (ours, issue 15) as an admin client sees them:
status codes, headers, the exact JSON, and that no token or secret is ever answered.

Setup reaches the stand-in Chatwoot through Prism (the seed Swagger checks each call).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.chatwoot_standin.prism import free_port
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

SETUP = "/api/admin/chatwoot/setup"
STATUS = "/api/admin/chatwoot/status"
UNCONFIGURED = {
    "configured": False, "enabled": False, "url": "", "accountId": 0, "inboxId": 0,
    "agentBotId": 0, "reachable": None, "reachError": None, "bridgeRunning": False,
    "queued": None, "lastError": None,
}  # fmt: skip


@dataclass
class FakeBridge:
    queued: int = 3
    last_error: str | None = "Chatwoot answered 503 to POST …/messages"


def setup_body(cw: ChatwootUnderTest, **changes: object) -> dict[str, object]:
    body = {"url": cw.api_url, "accountId": 1, "token": cw.token,
            "serverUrl": "https://live.example"}  # fmt: skip
    return {**body, **changes}


@pytest.mark.parametrize(("method", "path"), [("GET", STATUS), ("POST", SETUP)])
async def test_both_routes_need_the_admin(admin: AdminHarness, method: str, path: str) -> None:
    response, _ = await admin.request(method, path, auth=False, json={})
    assert response.status_code == 401


async def test_status_of_a_server_never_set_up(admin: AdminHarness) -> None:
    response, body = await admin.get(STATUS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    assert body == UNCONFIGURED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": None}, "url is required and must be a string (got null)"),
        ({"accountId": "1"}, "accountId must be a number (got a string)"),
        ({"token": ""}, "token is required and must be a string (got a string)"),
        ({"url": "ftp://cw.example"}, 'url must be an http(s) URL (got "ftp://cw.example")'),
        ({"accountId": 0}, "account must be a positive id (got 0)"),
        (
            {"serverUrl": None},
            "this server's public URL is unknown: set server.url (or pass the server URL) so "
            "Chatwoot can reach the webhook",
        ),
    ],
)
async def test_setup_refuses_bad_input_with_nothing_written(
    admin: AdminHarness, chatwoot: ChatwootUnderTest, changes: dict, message: str
) -> None:
    before = admin.config_text()
    response, body = await admin.post(SETUP, setup_body(chatwoot, **changes))
    assert (response.status_code, body) == (400, {"success": False, "message": message})
    assert admin.config_text() == before
    assert chatwoot.snapshot()["requests"] == []


async def test_setup_answers_what_it_made_and_no_secret(
    admin: AdminHarness, chatwoot: ChatwootUnderTest
) -> None:
    response, body = await admin.post(SETUP, setup_body(chatwoot, inboxName="Stream team"))
    assert response.status_code == 200, body
    assert body == {
        "inboxId": 1, "inboxCreated": True, "agentBotId": 1, "agentBotCreated": True,
        "webhookUrl": "https://live.example/api/chatwoot/webhook/…",
    }  # fmt: skip
    settings = admin.settings.current.chatwoot
    assert (settings.enabled, settings.inbox_id, settings.api_token) == (True, 1, chatwoot.token)
    assert chatwoot.snapshot()["inboxes"][0]["name"] == "Stream team"

    admin.control.chatwoot.status_source = FakeBridge()  # type: ignore[union-attr]
    response, body = await admin.get(STATUS)
    assert response.status_code == 200
    assert body == {
        "configured": True, "enabled": True, "url": chatwoot.api_url, "accountId": 1,
        "inboxId": 1, "agentBotId": 1, "reachable": True, "reachError": None,
        "bridgeRunning": True, "queued": 3,
        "lastError": "Chatwoot answered 503 to POST …/messages",
    }  # fmt: skip
    text = str(body)
    assert chatwoot.token not in text and settings.webhook_secret not in text
    assert chatwoot.violations() == []


async def test_setup_says_which_side_failed(
    admin: AdminHarness, chatwoot: ChatwootUnderTest
) -> None:
    before = admin.config_text()
    response, body = await admin.post(SETUP, setup_body(chatwoot, token="tok-WRONG-123"))
    assert response.status_code == 400
    assert body["message"].startswith(
        "Chatwoot refused the token for account 1 (Chatwoot answered 401"
    )
    assert "tok-WRONG-123" not in body["message"]
    dead = f"http://127.0.0.1:{free_port()}"
    response, body = await admin.post(SETUP, setup_body(chatwoot, url=dead))
    assert response.status_code == 502
    assert body["message"].startswith("Chatwoot is not reachable: Chatwoot unreachable")
    assert admin.config_text() == before

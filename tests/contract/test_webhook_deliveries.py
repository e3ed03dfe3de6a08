"""`GET /api/admin/webhooks/deliveries` (ours): the last delivery attempts of each webhook,
newest first, kept in memory; what the admin's webhooks page shows as "recent deliveries"."""

from __future__ import annotations

import pytest
import trio

from tests.component.integration_fixtures import IntegrationServer, start_integration_server
from tests.component.webhook_receiver import WebhookReceiver

KEYS = {"webhookId", "timestamp", "eventType", "status", "error", "durationMs", "ok", "test"}


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


async def deliveries(server: IntegrationServer, query: str = "") -> list[dict]:
    response = await server.admin("GET", "/api/admin/webhooks/deliveries" + query)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert "no-store" in response.headers.get("Cache-Control", "")
    return response.json()


async def wait_for_count(server: IntegrationServer, count: int, query: str = "") -> list[dict]:
    """Poll until `count` attempts are listed (the sender notes them after the receiver answers)."""
    with trio.fail_after(10):
        # The route is the observable condition: nothing else says the attempt was noted.
        while len(listed := await deliveries(server, query)) < count:  # noqa: ASYNC110
            await trio.sleep(0.02)
    return listed


async def test_test_and_event_deliveries_are_listed_newest_first(server, nursery):
    rx = await WebhookReceiver([200, 500, 500, 500]).start(nursery)
    hook = await server.create_webhook(rx.url, "STREAM_TITLE_UPDATED")
    assert await deliveries(server) == []
    tested = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    assert tested.status_code == 200
    title = await server.admin("POST", "/api/admin/config/streamtitle", json={"value": "T"})
    assert title.status_code == 200
    listed = await wait_for_count(server, 4)  # the test, then three failed attempts
    assert all(set(item) == KEYS for item in listed)
    assert [item["test"] for item in listed] == [False, False, False, True]
    assert [item["status"] for item in listed] == [500, 500, 500, 200]
    assert [item["ok"] for item in listed] == [False, False, False, True]
    assert {item["eventType"] for item in listed} == {"STREAM_TITLE_UPDATED"}
    assert {item["webhookId"] for item in listed} == {hook["id"]}
    assert all(item["error"] == "" and item["durationMs"] >= 0 for item in listed)
    stamps = [item["timestamp"] for item in listed]
    assert stamps == sorted(stamps, reverse=True)  # arrival order, which the clock agrees with
    text = (await server.admin("GET", "/api/admin/webhooks/deliveries")).text
    assert hook["secret"] not in text and rx.url not in text


async def test_an_unreachable_receiver_is_listed_with_its_error(server, nursery):
    rx = await WebhookReceiver([200]).start(nursery)
    hook = await server.create_webhook(rx.url, "CHAT")
    other = await server.create_webhook("http://127.0.0.1:9/", "CHAT")
    tested = await server.admin("POST", "/api/admin/webhooks/test", json={"id": other["id"]})
    assert tested.status_code == 424
    [item] = await deliveries(server, f"?id={other['id']}")
    assert item["status"] is None and item["ok"] is False
    assert item["error"].startswith("could not be reached")
    assert await deliveries(server, f"?id={hook['id']}") == []


async def test_a_deleted_webhook_is_forgotten_and_bad_ids_are_refused(server, nursery):
    rx = await WebhookReceiver([200]).start(nursery)
    hook = await server.create_webhook(rx.url, "CHAT")
    await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    assert len(await deliveries(server)) == 1
    await server.admin("POST", "/api/admin/webhooks/delete", json={"id": hook["id"]})
    assert await deliveries(server) == []
    for query in (f"?id={hook['id']}", "?id=x", "?id=-1"):
        refused = await server.admin("GET", "/api/admin/webhooks/deliveries" + query)
        assert refused.status_code == 400, query


async def test_deliveries_need_the_admin(server):
    async with server.http() as client:
        response = await client.get("/api/admin/webhooks/deliveries")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")

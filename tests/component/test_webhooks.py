"""Webhooks (§4) end to end on loopback: admin CRUD and bad input, every event type's payload
with Owncast's exact field names, the signature, retries with backoff, timeouts, a full queue,
the test route, and chat speed with a receiver that never answers.

The receiver is a real trio + h11 server (`webhook_receiver.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import statistics
import time

import pytest
import trio

import owncastd.core.chat.room as room_module
from owncastd import OWNCAST_API_VERSION
from owncastd.core.webhooks import EVENT_TYPES
from owncastd.store.webhooks import WebhookStore
from owncastd.webhooks.delivery import DeliveryPolicy
from owncastd.webhooks.service import WebhookService
from tests.component.integration_fixtures import (
    IntegrationServer,
    start_integration_server,
)
from tests.component.webhook_receiver import Received, WebhookReceiver

STATUS_KEYS = {
    "online",
    "viewerCount",
    "overallMaxViewerCount",
    "sessionMaxViewerCount",
    "lastConnectTime",
    "lastDisconnectTime",
    "versionNumber",
    "streamTitle",
}
USER_KEYS = {
    "id",
    "displayName",
    "displayColor",
    "createdAt",
    "previousNames",
    "isBot",
    "authenticated",
}
ENVELOPE = {"status", "serverURL"}
STREAM_KEYS = ENVELOPE | {"id", "name", "summary", "streamTitle", "timestamp"}
SERVER_URL = "https://live.example.com"


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


async def receiver(nursery, statuses=None, *, blackhole=False) -> WebhookReceiver:
    return await WebhookReceiver(statuses or [200], blackhole=blackhole).start(nursery)


async def hooks(server: IntegrationServer) -> list[dict]:
    response = await server.admin("GET", "/api/admin/webhooks")
    assert response.status_code == 200
    return response.json()


def check_signature(got: Received, secret: str) -> None:
    """The header is `t=<unix>.s=<hex>` with HMAC-SHA256(secret, "<t>." + body), t recent."""
    match = re.fullmatch(r"t=(\d+)\.s=([0-9a-f]{64})", got.headers["owncast-signature"])
    assert match, got.headers["owncast-signature"]
    stamp = match.group(1)
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + got.body, hashlib.sha256)
    assert hmac.compare_digest(match.group(2), expected.hexdigest())
    assert abs(time.time() - int(stamp)) < 60


# ---- admin routes -----------------------------------------------------------------------


async def test_create_list_delete(server, nursery):
    rx = await receiver(nursery)
    created = await server.create_webhook(rx.url, "CHAT", "STREAM_STARTED", "CHAT")
    assert set(created) == {"id", "url", "events", "timestamp", "lastUsed", "secret"}
    assert created["url"] == rx.url and created["events"] == ["CHAT", "STREAM_STARTED"]
    assert created["lastUsed"] is None and re.fullmatch(r"[0-9a-f]{64}", created["secret"])
    assert await hooks(server) == [created]
    other = await server.create_webhook("https://hooks.example.com/x", "USER_JOINED")
    assert other["id"] != created["id"] and other["secret"] != created["secret"]
    response = await server.admin("POST", "/api/admin/webhooks/delete", json={"id": created["id"]})
    assert response.status_code == 200 and response.json()["success"] is True
    assert await hooks(server) == [other]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/hook",
        "data:text/plain,hi",
        "gopher://example.com/",
        "http://user:pass@example.com/hook",
        "https://token@example.com/hook",
        "http://example.com/\x00hook",
        "http://example.com/hook\r\nX-Injected: 1",
        "http://exa mple.com/",
        "http://example.com\\@evil.com/",
        "http://",
        "http:///path",
        "example.com/hook",
        "//example.com/hook",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://[::1/",
        "",
        "https://example.com/" + "a" * 2100,
    ],
)
async def test_create_refuses_bad_urls_and_changes_nothing(server, url):
    response = await server.admin(
        "POST", "/api/admin/webhooks/create", json={"url": url, "events": ["CHAT"]}
    )
    assert response.status_code == 400, (url, response.text)
    assert response.json()["success"] is False and "url" in response.json()["message"]
    assert await hooks(server) == []
    good = await server.create_webhook("http://127.0.0.1:9/h", "CHAT")  # what a good one does
    assert [h["id"] for h in await hooks(server)] == [good["id"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "https://example.com/h", "events": ["CHAT", "PING"]}, "unknown event type"),
        ({"url": "https://example.com/h", "events": ["chat"]}, "unknown event type"),
        ({"url": "https://example.com/h", "events": []}, "at least one"),
        ({"url": "https://example.com/h", "events": "CHAT"}, "must be an array"),
        ({"url": "https://example.com/h", "events": [1]}, "array of at most"),
        ({"url": "https://example.com/h"}, "events is required"),
        ({"events": ["CHAT"]}, "url is required"),
        ({"url": 5, "events": ["CHAT"]}, "url is required"),
        (["https://example.com/h"], "a JSON object was expected"),
    ],
)
async def test_create_refuses_bad_input(server, body, message):
    response = await server.admin("POST", "/api/admin/webhooks/create", json=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["message"]
    assert await hooks(server) == []
    good = await server.create_webhook("http://127.0.0.1:9/h", "CHAT")  # what a good one does
    assert [h["id"] for h in await hooks(server)] == [good["id"]]


async def test_malformed_json_is_refused(server):
    for path in ("create", "delete", "test"):
        response = await server.admin(
            "POST",
            f"/api/admin/webhooks/{path}",
            content=b'{"url": ',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400, path
        wrong_type = await server.admin(
            "POST", f"/api/admin/webhooks/{path}", content=b"id=1", headers={"Content-Type": "a/b"}
        )
        assert wrong_type.status_code == 415, path
    assert await hooks(server) == []
    good = await server.create_webhook("http://127.0.0.1:9/h", "CHAT")  # what a good one does
    assert [h["id"] for h in await hooks(server)] == [good["id"]]


@pytest.mark.parametrize("body", [{}, {"id": 999}, {"id": "abc"}, {"id": 1.5}, {"id": None}])
@pytest.mark.parametrize("path", ["delete", "test"])
async def test_unknown_or_bad_ids_are_refused(server, body, path):
    created = await server.create_webhook("https://example.com/hook", "CHAT")
    response = await server.admin("POST", f"/api/admin/webhooks/{path}", json=body)
    assert response.status_code == 400, response.text
    assert await hooks(server) == [created]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/webhooks"),
        ("POST", "/api/admin/webhooks/create"),
        ("POST", "/api/admin/webhooks/delete"),
        ("POST", "/api/admin/webhooks/test"),
    ],
)
async def test_admin_routes_need_the_admin(server, method, path):
    await server.create_webhook("https://example.com/hook", "CHAT")
    body = {"url": "https://example.com/other", "events": ["CHAT"], "id": 1}
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    async with server.http() as client:
        for kwargs in ({}, {"auth": ("admin", "nope")}):
            response = await client.request(method, path, json=body, **kwargs)
            assert response.status_code == 401
        bearer = await client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert bearer.status_code == 401
    assert len(await hooks(server)) == 1


async def test_webhooks_are_kept_in_the_database(server):
    created = await server.create_webhook("https://example.com/hook", "CHAT", "USER_PARTED")
    fresh = WebhookService(
        WebhookStore(server.store),
        settings=server.settings,
        status=dict,
        clock=server.wall,
    )
    [loaded] = await fresh.all()
    assert loaded.to_json() == created


# ---- payloads -----------------------------------------------------------------------------


async def test_every_event_type_has_owncasts_fields(server, nursery, monkeypatch):
    monkeypatch.setattr(room_module, "PART_DELAY_SECONDS", 0.2)
    server.configure("chat", spam_protection_enabled=False)  # two frames in a row
    rx = await receiver(nursery)
    assert (
        await server.admin("POST", "/api/admin/config/serverurl", json={"value": SERVER_URL})
    ).status_code == 200
    hook = await server.create_webhook(rx.url, *EVENT_TYPES)

    async def expect(event_type: str, keys: set[str]) -> dict:
        got = await rx.next()
        assert got.method == "POST" and got.path == "/hooks/owncast?key=s3cret"
        assert got.headers["content-type"] == "application/json"
        check_signature(got, hook["secret"])
        document = got.json()
        assert set(document) == {"type", "eventData"}
        assert document["type"] == event_type
        data = document["eventData"]
        assert set(data) == keys, (event_type, sorted(data))
        assert set(data["status"]) == STATUS_KEYS
        assert data["status"]["versionNumber"] == OWNCAST_API_VERSION  # the API we implement
        assert data["serverURL"] == SERVER_URL
        return data

    session = server.stream.begin("203.0.113.9")
    started = await expect("STREAM_STARTED", STREAM_KEYS)
    assert started["name"] == server.settings.current.server.name
    assert started["summary"] == server.settings.current.server.summary
    assert started["timestamp"].endswith("Z")

    user, ws = await server.join("viewer")
    joined = await expect("USER_JOINED", ENVELOPE | {"id", "timestamp", "user"})
    assert set(joined["user"]) == USER_KEYS and joined["user"]["id"] == user["id"]

    await ws.send_json({"type": "CHAT", "body": "hello **there**"})
    chat = await expect(
        "CHAT",
        ENVELOPE | {"user", "timestamp", "body", "rawBody", "id", "clientId", "visible"},
    )
    assert chat["rawBody"] == "hello **there**" and "<strong>there</strong>" in chat["body"]
    assert chat["visible"] is True and chat["user"]["displayName"] == "viewer"
    assert isinstance(chat["clientId"], int) and chat["clientId"] > 0

    await ws.send_json({"type": "NAME_CHANGE", "newName": "renamed"})
    renamed = await expect("NAME_CHANGE", ENVELOPE | {"id", "timestamp", "user", "newName"})
    assert renamed["newName"] == "renamed" and renamed["user"]["displayName"] == "renamed"

    hide = {"idArray": [chat["id"]], "visible": False}
    assert (
        await server.admin("POST", "/api/admin/chat/messagevisibility", json=hide)
    ).status_code == 200
    hidden = await expect(
        "VISIBILITY-UPDATE", ENVELOPE | {"id", "timestamp", "user", "visible", "ids"}
    )
    assert hidden["user"] is None and hidden["visible"] is False and hidden["ids"] == [chat["id"]]

    title = {"value": "New title"}
    assert (
        await server.admin("POST", "/api/admin/config/streamtitle", json=title)
    ).status_code == 200
    retitled = await expect("STREAM_TITLE_UPDATED", STREAM_KEYS)
    assert retitled["streamTitle"] == "New title"
    assert retitled["status"]["streamTitle"] == "New title"

    await ws.aclose()
    parted = await expect("USER_PARTED", ENVELOPE | {"id", "timestamp", "user"})
    assert parted["user"]["id"] == user["id"]

    session.end()
    stopped = await expect("STREAM_STOPPED", STREAM_KEYS)
    assert stopped["status"]["online"] is False
    assert stopped["status"]["lastDisconnectTime"] is not None

    await rx.nothing(0.3)


async def test_bot_messages_reach_webhooks_as_bots(server, nursery):
    rx = await receiver(nursery)
    await server.create_webhook(rx.url, "CHAT")
    server.stream.begin("203.0.113.9")
    bot = await server.create_token("CAN_SEND_MESSAGES", name="Relay")
    response = await server.bearer(
        "POST", "/api/integrations/chat/send", bot["accessToken"], json={"body": "relayed"}
    )
    assert response.status_code == 200
    data = (await rx.next()).json()["eventData"]
    assert data["user"]["isBot"] is True and data["user"]["displayName"] == "Relay"
    assert data["rawBody"] == "relayed"
    assert "serverURL" not in data  # no server URL configured: omitted, as Owncast does


async def test_only_subscribed_events_are_sent(server, nursery):
    rx = await receiver(nursery)
    await server.create_webhook(rx.url, "STREAM_STOPPED")
    session = server.stream.begin("203.0.113.9")
    _, ws = await server.join("viewer")
    await ws.send_json({"type": "CHAT", "body": "not for the hook"})
    await ws.next_event("CHAT")
    await rx.nothing(0.3)
    session.end()
    assert (await rx.next()).json()["type"] == "STREAM_STOPPED"
    await ws.aclose()


async def test_integration_title_change_fires_the_webhook(server, nursery):
    rx = await receiver(nursery)
    await server.create_webhook(rx.url, "STREAM_TITLE_UPDATED")
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    response = await server.bearer(
        "POST", "/api/integrations/streamtitle", token, json={"value": "From a bot"}
    )
    assert response.status_code == 200
    assert (await rx.next()).json()["eventData"]["streamTitle"] == "From a bot"


async def test_a_deleted_webhook_gets_nothing(server, nursery):
    rx = await receiver(nursery)
    kept_rx = await receiver(nursery)
    hook = await server.create_webhook(rx.url, "STREAM_STARTED")
    kept = await server.create_webhook(kept_rx.url, "STREAM_STARTED")
    deleted = await server.admin("POST", "/api/admin/webhooks/delete", json={"id": hook["id"]})
    assert deleted.status_code == 200
    assert [h["id"] for h in await hooks(server)] == [kept["id"]]
    server.stream.begin("203.0.113.9")
    assert (await kept_rx.next()).json()["type"] == "STREAM_STARTED"  # the event did go out
    await rx.nothing(0.3)


# ---- delivery -----------------------------------------------------------------------------


async def test_retries_stop_when_the_webhook_is_deleted(server, nursery):
    rx = await receiver(nursery, [500])
    kept_rx = await receiver(nursery, [500])  # the same failures, but this one stays
    hook = await server.create_webhook(rx.url, "STREAM_STARTED")
    await server.create_webhook(kept_rx.url, "STREAM_STARTED")
    server.stream.begin("203.0.113.9")
    await rx.next()
    await kept_rx.next()
    deleted = await server.admin("POST", "/api/admin/webhooks/delete", json={"id": hook["id"]})
    assert deleted.status_code == 200
    with trio.fail_after(1.0):  # the kept one is retried (after 0.2 s and 0.4 s) ...
        await kept_rx.next()
        await kept_rx.next()
    await rx.nothing(0.4)  # ... the deleted one is not (a request since would be queued too)


async def test_retries_with_exponential_backoff_then_success(server, nursery):
    rx = await receiver(nursery, [500, 500, 200])
    hook = await server.create_webhook(rx.url, "STREAM_STARTED")
    server.stream.begin("203.0.113.9")
    first, second, third = await rx.next(), await rx.next(), await rx.next()
    assert first.body == second.body == third.body
    for got in (first, second, third):
        check_signature(got, hook["secret"])
    backoff = server.control.webhooks.sender.policy.backoff
    assert second.at - first.at >= backoff
    assert third.at - second.at >= 2 * backoff
    await rx.nothing(0.3)
    [listed] = await hooks(server)
    assert listed["lastUsed"] is not None
    counts = server.control.webhooks.sender.counts
    assert (counts.delivered, counts.retried, counts.failed) == (1, 2, 0)
    prometheus = await server.admin("GET", "/api/admin/prometheus")
    assert 'owncastd_webhook_deliveries_total{result="delivered"} 1.0' in prometheus.text
    assert 'owncastd_webhook_deliveries_total{result="retried"} 2.0' in prometheus.text


@pytest.mark.parametrize("status", [500, 404, 302])
async def test_non_2xx_is_a_failure_logged_as_a_warning(server, nursery, status):
    rx = await receiver(nursery, [status])
    await server.create_webhook(rx.url, "STREAM_STARTED")
    with server.capture_logs():
        server.stream.begin("203.0.113.9")
        paths = [(await rx.next()).path for _ in range(3)]
        await rx.nothing(0.8)
        warnings = (await server.admin("GET", "/api/admin/logs/warnings")).json()
    assert paths == ["/hooks/owncast?key=s3cret"] * 3  # a redirect is not followed
    [warning] = [w for w in warnings if "webhook delivery failed" in w["message"]]
    assert warning["level"] == "warning"
    assert "127.0.0.1" in warning["message"] and f"HTTP {status}" in warning["message"]
    assert "s3cret" not in warning["message"]  # the URL (and its secrets) is not logged
    [listed] = await hooks(server)
    assert listed["lastUsed"] is None
    assert server.control.webhooks.sender.counts.failed == 1


async def test_a_receiver_that_never_answers_times_out(server, nursery):
    rx = await receiver(nursery, blackhole=True)
    hook = await server.create_webhook(rx.url, "CHAT")
    timeout = server.control.webhooks.sender.policy.timeout
    started = trio.current_time()
    response = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    elapsed = trio.current_time() - started
    assert response.status_code == 424
    assert f"did not answer within {timeout:g} s" in response.json()["message"]
    assert timeout <= elapsed < timeout + 1.5


async def test_a_full_queue_drops_with_a_warning(tmp_path, nursery):
    policy = DeliveryPolicy(timeout=30, attempts=1, backoff=0.1, workers=1, queue_size=2)
    server = await start_integration_server(nursery, tmp_path, policy)
    rx = await receiver(nursery, blackhole=True)
    await server.create_webhook(rx.url, "STREAM_TITLE_UPDATED")
    with server.capture_logs():
        for n in range(10):
            response = await server.admin(
                "POST", "/api/admin/config/streamtitle", json={"value": f"title {n}"}
            )
            assert response.status_code == 200
            if n == 0:
                await rx.next()  # the one worker is now stuck on the first delivery
        warnings = (await server.admin("GET", "/api/admin/logs/warnings")).json()
    counts = server.control.webhooks.sender.counts
    assert counts.dropped == 7  # 1 in flight, 2 queued
    [warning] = [w for w in warnings if "webhook queue full" in w["message"]]
    assert "count=1" in warning["message"]  # rate-limited: one line for the burst
    prometheus = await server.admin("GET", "/api/admin/prometheus")
    assert 'owncastd_webhook_deliveries_total{result="dropped"} 7.0' in prometheus.text


async def test_blackhole_receivers_do_not_slow_chat(tmp_path, nursery):
    """With every delivery worker stuck on a receiver that never answers (production policy:
    5 s timeout, 10 workers), chat delivery latency stays what it is without webhooks."""
    server = await start_integration_server(nursery, tmp_path, DeliveryPolicy())
    server.configure("chat", spam_protection_enabled=False)
    server.stream.begin("203.0.113.9")
    _, sender = await server.join("sender")
    _, watcher = await server.join("watcher")

    async def latencies(count: int) -> list[float]:
        result = []
        for n in range(count):
            started = trio.current_time()
            await sender.send_json({"type": "CHAT", "body": f"message {n}"})
            event = await watcher.next_event("CHAT", timeout=2)
            assert event["body"] == f"<p>message {n}</p>"
            result.append(trio.current_time() - started)
        return result

    baseline = await latencies(40)
    rx = await receiver(nursery, blackhole=True)
    for _ in range(3):
        await server.create_webhook(rx.url, "CHAT")
    loaded = await latencies(60)
    sender_counts = server.control.webhooks.sender.counts
    assert rx.connections >= server.control.webhooks.sender.policy.workers  # all stuck
    assert sender_counts.delivered == 0 and server.control.webhooks.sender.queued > 100
    assert max(loaded) < 0.25, f"max latency {max(loaded):.3f}s"
    assert statistics.median(loaded) < 3 * statistics.median(baseline) + 0.01, (
        f"median {statistics.median(loaded) * 1000:.1f} ms vs "
        f"{statistics.median(baseline) * 1000:.1f} ms without webhooks"
    )
    await sender.aclose()
    await watcher.aclose()


# ---- the test route -----------------------------------------------------------------------


async def test_test_route_sends_a_signed_sample(server, nursery):
    rx = await receiver(nursery)
    hook = await server.create_webhook(rx.url, "CHAT", "STREAM_STARTED")
    response = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    assert response.status_code == 200, response.text
    assert "answered 200" in response.json()["message"]
    got = await rx.next()
    check_signature(got, hook["secret"])
    document = got.json()
    assert document["type"] == "CHAT"
    assert set(document["eventData"]) == {
        "status",
        "user",
        "timestamp",
        "body",
        "rawBody",
        "id",
        "clientId",
        "visible",
    }
    [listed] = await hooks(server)
    assert listed["lastUsed"] is not None


@pytest.mark.parametrize("event_type", EVENT_TYPES)
async def test_test_route_samples_have_the_real_shape(server, nursery, event_type):
    rx = await receiver(nursery)
    hook = await server.create_webhook(rx.url, event_type)
    response = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    assert response.status_code == 200
    data = (await rx.next()).json()["eventData"]
    expected = {
        "CHAT": {"user", "timestamp", "body", "rawBody", "id", "clientId", "visible"},
        "NAME_CHANGE": {"id", "timestamp", "user", "newName"},
        "USER_JOINED": {"id", "timestamp", "user"},
        "USER_PARTED": {"id", "timestamp", "user"},
        "VISIBILITY-UPDATE": {"id", "timestamp", "user", "visible", "ids"},
        "FEDIVERSE_ENGAGEMENT_FOLLOW": {"id", "timestamp", "name", "username", "image"},
    }.get(event_type, STREAM_KEYS - ENVELOPE)
    status = set() if event_type == "FEDIVERSE_ENGAGEMENT_FOLLOW" else {"status"}
    assert set(data) == expected | status


async def test_test_route_reports_a_failing_receiver(server, nursery):
    rx = await receiver(nursery, [500])
    hook = await server.create_webhook(rx.url, "CHAT")
    response = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"]})
    assert response.status_code == 424
    assert "answered HTTP 500" in response.json()["message"]
    await rx.next()
    await rx.nothing(0.5)  # one attempt only
    refused = await server.admin("POST", "/api/admin/webhooks/test", json={"id": hook["id"] + 1})
    assert refused.status_code == 400

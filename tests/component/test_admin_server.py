"""Admin actions: disconnect, logs, directory reset, update options and force-quit (§1.6)."""

from __future__ import annotations

import logging

import pytest
import trio
import trio.testing

from owncastd.store.datastore import DIRECTORY_KEY
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

ROUTES = [
    ("GET", "/api/admin/disconnect"),
    ("GET", "/api/admin/logs"),
    ("GET", "/api/admin/logs/warnings"),
    ("GET", "/api/admin/yp/reset"),
    ("GET", "/api/admin/update/options"),
    ("GET", "/api/admin/update/start"),
    ("GET", "/api/admin/update/forcequit"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_actions_need_the_admin(admin: AdminHarness, method, path):
    response, _ = await admin.request(method, path, auth=False)
    assert response.status_code == 401
    assert admin.stops == []
    preflight, _ = await admin.request("OPTIONS", path, auth=False)
    assert preflight.status_code == 204


async def test_disconnect_drops_the_publisher(admin: AdminHarness, mock_clock):
    response, body = await admin.get("/api/admin/disconnect")
    assert response.status_code == 400
    assert body == {"success": False, "message": "no inbound stream connected"}
    session = await admin.go_online()
    response, body = await admin.get("/api/admin/disconnect")
    assert response.status_code == 200 and body["success"] is True
    with trio.fail_after(1):
        await session.wait_disconnect_requested()


async def test_disconnect_frees_a_session_whose_connection_is_gone(admin: AdminHarness, mock_clock):
    """Nobody holds the session's connection any more: the stream is freed all the same, and
    the answer says so instead of claiming to have dropped a live publisher."""
    await admin.go_online()
    response, body = await admin.get("/api/admin/disconnect")
    assert response.status_code == 200
    assert body == {
        "success": True,
        "message": "inbound stream was already gone; its session has been cleared",
    }
    assert admin.stream.session is None and not admin.stream.is_live
    response, _ = await admin.get("/api/admin/disconnect")
    assert response.status_code == 400


async def test_logs_and_warnings_come_from_the_buffer(admin: AdminHarness):
    logger = logging.getLogger("owncastd.test.admin_logs")
    logger.addHandler(admin.logs)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("too chatty")
        logger.info("stream started remote=%s", "203.0.113.9")
        logger.warning("disk nearly full")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("handler failed")
    finally:
        logger.removeHandler(admin.logs)
    response, logs = await admin.get("/api/admin/logs")
    assert response.status_code == 200
    assert [(e["level"], e["message"]) for e in logs] == [
        ("info", "stream started remote=203.0.113.9"),
        ("warning", "disk nearly full"),
        ("error", "handler failed (ValueError: boom)"),
    ]
    assert all(set(e) == {"message", "level", "time"} for e in logs)
    assert logs[0]["time"].endswith("Z")
    _, warnings = await admin.get("/api/admin/logs/warnings")
    assert [e["level"] for e in warnings] == ["warning", "error"]


async def test_log_buffer_is_bounded():
    from owncastd.log_buffer import LogBuffer

    buffer = LogBuffer(max_entries=5, max_warnings=2)
    logger = logging.getLogger("owncastd.test.bounded")
    logger.addHandler(buffer)
    try:
        for i in range(10):
            logger.warning("w%d", i)
    finally:
        logger.removeHandler(buffer)
    assert [e.message for e in buffer.entries()] == ["w5", "w6", "w7", "w8", "w9"]
    assert [e.message for e in buffer.warnings()] == ["w8", "w9"]


async def test_yp_reset_forgets_the_registration_key(admin: AdminHarness):
    await admin.control.datastore.put(DIRECTORY_KEY, "registered-key")
    for method in ("GET", "POST"):
        response, body = await admin.request(method, "/api/admin/yp/reset")
        assert response.status_code == 200 and body["success"] is True
        assert await admin.control.datastore.get(DIRECTORY_KEY) is None


async def test_update_options_and_start(admin: AdminHarness):
    _, options = await admin.get("/api/admin/update/options")
    assert options == {"supportsUpdate": False, "canRestart": False}
    response, body = await admin.get("/api/admin/update/start")
    assert response.status_code == 400 and body["success"] is False


async def test_forcequit_stops_the_daemon_after_answering(admin: AdminHarness, mock_clock):
    response, body = await admin.get("/api/admin/update/forcequit")
    assert response.status_code == 200
    assert body == {"success": True, "message": "shutting down"}
    assert admin.stops == []  # the answer leaves first
    await trio.testing.wait_all_tasks_blocked()
    mock_clock.jump(1)
    await trio.testing.wait_all_tasks_blocked()
    assert admin.stops == ["stop"]


ACTIONS = ["/api/admin/disconnect", "/api/admin/yp/reset", "/api/admin/update/forcequit"]
FORGED = [
    # An <img> in chat or in any page: the reported attack (same origin, via an emoji src).
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "document"},  # a link or form elsewhere
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "document"},  # a link in chat
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "iframe"},
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "script"},
    # Another port or subdomain of the same site is another origin (issue 16): refused.
    {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Dest": "empty"},
    {"Origin": "http://127.0.0.1:9999"},  # a browser without Fetch Metadata, another origin
    {"Origin": "null"},  # a sandboxed frame or data: page
]
GENUINE = [
    {},  # curl, owncastctl and Owncast's own tools send no Fetch Metadata
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"},
    {"Origin": "http://localhost"},  # a browser without Fetch Metadata, this origin
    {"Sec-Fetch-Site": "none", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1"},  # typed
]


@pytest.mark.parametrize("path", ACTIONS)
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("headers", FORGED)
async def test_actions_refuse_requests_the_admin_did_not_make(
    admin: AdminHarness, mock_clock, path, method, headers
):
    await admin.control.datastore.put(DIRECTORY_KEY, "registered-key")
    response, body = await admin.request(method, path, headers=headers)
    assert response.status_code == 403 and body["success"] is False
    await trio.testing.wait_all_tasks_blocked()
    mock_clock.jump(1)
    await trio.testing.wait_all_tasks_blocked()
    assert admin.stops == []
    assert await admin.control.datastore.get(DIRECTORY_KEY) == "registered-key"


@pytest.mark.parametrize("headers", GENUINE)
async def test_actions_serve_admin_clients_with_or_without_fetch_metadata(
    admin: AdminHarness, headers
):
    await admin.control.datastore.put(DIRECTORY_KEY, "registered-key")
    response, body = await admin.request("GET", "/api/admin/yp/reset", headers=headers)
    assert response.status_code == 200 and body["success"] is True
    assert await admin.control.datastore.get(DIRECTORY_KEY) is None
    response, _ = await admin.request("GET", "/api/admin/disconnect", headers=headers)
    assert response.status_code == 400  # served: nobody is publishing


async def test_a_forged_request_without_credentials_is_still_a_401(admin: AdminHarness):
    headers = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "image"}
    response, _ = await admin.request("GET", ACTIONS[2], auth=False, headers=headers)
    assert response.status_code == 401
    # With the password the same forged request meets the forgery check (403): the 401 above
    # came from the credential check, which runs first.
    response, body = await admin.request("GET", ACTIONS[2], headers=headers)
    assert response.status_code == 403 and body["success"] is False
    assert admin.stops == []

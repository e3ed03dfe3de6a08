"""Scheduled events and the favicon on the real `owncastd`: set over the admin API, kept
across a restart (SQLite migration, data directory), served to anyone."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = pytest.mark.e2e

ADMIN = ("admin", ADMIN_PASSWORD)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def post(daemon: DaemonProcess, path: str, body: object) -> httpx.Response:
    return httpx.post(daemon.url + path, json=body, auth=ADMIN, timeout=10)


def test_schedule_and_favicon_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    write_config(data)
    daemon = DaemonProcess(data).wait_ready()
    try:
        assert post(daemon, "/api/admin/config/schedule/enabled", {"value": True}).is_success
        start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
        event = {"name": "Jam, live", "start": start.isoformat(), "timezone": "Europe/Paris"}
        assert post(daemon, "/api/admin/schedule/event", event).is_success, daemon.log()
        favicon = {"value": "data:image/png;base64," + base64.b64encode(PNG).decode()}
        assert post(daemon, "/api/admin/config/favicon", favicon).is_success, daemon.log()
    finally:
        assert daemon.stop() == 0, daemon.log()

    daemon = DaemonProcess(data).wait_ready()
    try:
        events = daemon.get("/api/schedule").json()
        assert [(e["name"], e["timezone"]) for e in events] == [("Jam, live", "Europe/Paris")]
        assert events[0]["startTime"] == start.isoformat().replace("+00:00", "Z")
        assert daemon.status()["scheduledEvent"]["name"] == "Jam, live"
        assert daemon.get("/api/config").json()["schedule"]["enabled"] is True
        ics = daemon.get("/api/schedule.ics")
        assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:" in ics.text
        assert "SUMMARY:Jam\\, live\r\n" in ics.text
        icon = daemon.get("/favicon.ico")
        assert (icon.content, icon.headers["content-type"]) == (PNG, "image/png")
    finally:
        assert daemon.stop() == 0, daemon.log()

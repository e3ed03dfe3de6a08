"""Scheduled events and the favicon on the real `owncastd`: set over the admin API, kept
across a restart (SQLite migration, data directory), served to anyone."""

from __future__ import annotations

import base64
import json
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


def test_owncastctl_schedule_and_favicon_against_the_daemon(tmp_path):
    from tests.e2e.test_owncastctl import ctl

    data = tmp_path / "data"
    write_config(data)
    daemon = DaemonProcess(data).wait_ready()
    env = {"OWNCAST_URL": daemon.url, "OWNCAST_ADMIN_PASSWORD": ADMIN_PASSWORD}
    home = tmp_path / "home"
    home.mkdir()
    try:
        start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
        added = ctl(home, "schedule", "add", "Jam", "--start", start.isoformat(), env=env)
        assert added.returncode == 0, added.stderr
        first = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
        series = ctl(
            home, "schedule", "add", "Weekly", "--start", first, "--timezone", "Europe/Paris",
            "--rrule", "FREQ=WEEKLY", "--duration", "30", env=env,
        )  # fmt: skip
        assert series.returncode == 0, series.stderr
        listed = json.loads(ctl(home, "schedule", "list", "--json", env=env).stdout)
        assert [s["name"] for s in listed["series"]] == ["Weekly"]
        names = [e["name"] for e in listed["events"]]
        assert names[:2] == ["Jam", "Weekly"] and set(names) == {"Jam", "Weekly"}
        jam = listed["events"][0]["id"]
        assert ctl(home, "schedule", "cancel", jam, env=env).returncode == 0
        assert ctl(home, "schedule", "edit", jam, "--name", "Jam 2", env=env).returncode == 0
        events = json.loads(ctl(home, "schedule", "list", "--json", env=env).stdout)["events"]
        assert (events[0]["name"], events[0]["status"]) == ("Jam 2", "cancelled")
        refused = ctl(home, "schedule", "add", "Late", "--start", "2000-01-01T00:00:00Z", env=env)
        assert refused.returncode == 1 and "start must be in the future" in refused.stderr

        icon = home / "icon.png"
        icon.write_bytes(PNG)
        assert ctl(home, "favicon", "set", str(icon), env=env).returncode == 0
        assert daemon.get("/favicon.ico").content == PNG
        assert ctl(home, "favicon", "reset", env=env).returncode == 0
        assert daemon.get("/favicon.ico").content != PNG
    finally:
        assert daemon.stop() == 0, daemon.log()

"""`owncastctl schedule …` and `owncastctl favicon …` send Owncast's bodies and show answers."""

from __future__ import annotations

import base64

import httpx
import pytest

EVENT = {
    "id": "e-1",
    "name": "Friday jam",
    "description": "",
    "startTime": "2099-05-01T16:00:00Z",
    "durationMinutes": 90,
    "timezone": "Europe/Paris",
    "status": "scheduled",
}
PAST = {**EVENT, "id": "e-0", "name": "Old jam", "startTime": "2020-01-01T16:00:00Z"}
SERIES = {
    "id": "s-1",
    "name": "Monday show",
    "description": "",
    "recurrence": "DTSTART;TZID=Europe/Paris:20990302T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO",
    "durationMinutes": 60,
    "active": True,
}
SCHEDULE = {"series": [SERIES], "events": [PAST, EVENT]}
OK = {"success": True, "message": "ok"}


@pytest.fixture(autouse=True)
def schedule_routes(fake):
    fake.route("GET", "/api/admin/schedule", SCHEDULE)
    fake.route("POST", "/api/admin/schedule/event", SCHEDULE)
    fake.route("POST", "/api/admin/schedule/event/delete", SCHEDULE)


def test_list_shows_upcoming_events_in_their_zone_and_the_series(fake, ctl):
    result = ctl("schedule", "list")
    assert result.exit_code == 0, result.stderr
    assert "2099-05-01 18:00 Europe/Paris" in result.stdout
    assert "Friday jam" in result.stdout and "Old jam" not in result.stdout
    assert "Monday show" in result.stdout and "s-1" in result.stdout
    assert ctl("schedule", "list", "--json").json() == {"series": [SERIES], "events": [EVENT]}
    assert ctl("schedule", "list", "--all", "--json").json()["events"] == [PAST, EVENT]


def test_add_one_off_and_series(fake, ctl):
    result = ctl(
        "schedule", "add", "Friday jam", "--start", "2099-05-01T18:00:00+02:00",
        "--timezone", "Europe/Paris", "--duration", "90", "--description", "Bring snacks",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = ctl(
        "schedule", "add", "Monday show", "--start", "2099-03-02T17:00:00Z",
        "--timezone", "Europe/Paris", "--rrule", "FREQ=WEEKLY;BYDAY=MO",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", "/api/admin/schedule/event") == [
        {
            "name": "Friday jam",
            "start": "2099-05-01T18:00:00+02:00",
            "timezone": "Europe/Paris",
            "durationMinutes": 90,
            "description": "Bring snacks",
        },
        {
            "name": "Monday show",
            "recurrence": "DTSTART;TZID=Europe/Paris:20990302T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO",
        },
    ]


def test_edit_keeps_the_name_unless_given(fake, ctl):
    assert ctl("schedule", "edit", "e-1", "--duration", "30").exit_code == 0
    assert ctl("schedule", "edit", "s-1", "--name", "Late show").exit_code == 0
    assert fake.sent("POST", "/api/admin/schedule/event") == [
        {"id": "e-1", "name": "Friday jam", "durationMinutes": 30},
        {"id": "s-1", "name": "Late show"},
    ]


def test_cancel_and_delete(fake, ctl):
    assert ctl("schedule", "cancel", "e-1").exit_code == 0
    assert ctl("schedule", "delete", "s-1", "--yes").exit_code == 0
    assert fake.sent("POST", "/api/admin/schedule/event/delete") == [
        {"id": "e-1", "cancel": True},
        {"id": "s-1", "cancel": False},
    ]


def test_preview_prints_the_servers_occurrences(fake, ctl):
    fake.route(
        "POST",
        "/api/admin/schedule/preview",
        {"occurrences": ["2099-03-02T17:00:00Z", "2099-03-09T17:00:00Z"]},
    )
    result = ctl(
        "schedule", "preview", "FREQ=WEEKLY", "--start", "2099-03-02T18:00:00+01:00",
        "--timezone", "Europe/Paris",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "2099-03-02 18:00 Europe/Paris",
        "2099-03-09 18:00 Europe/Paris",
    ]
    assert fake.sent("POST", "/api/admin/schedule/preview") == [
        {"recurrence": "DTSTART;TZID=Europe/Paris:20990302T180000\nRRULE:FREQ=WEEKLY"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "x"], "give --start"),
        (["add", "x", "--start", "tomorrow"], "--start must be an RFC 3339 time"),
        (["add", "x", "--start", "2099-01-01T10:00:00"], "--start must be an RFC 3339 time"),
        (["add", "x", "--rrule", "FREQ=DAILY"], "--rrule needs --start and --timezone"),
        (
            [
                "add",
                "x",
                "--rrule",
                "FREQ=DAILY",
                "--start",
                "2099-01-01T10:00:00Z",
                "--timezone",
                "Nowhere/X",
            ],
            "unknown timezone",
        ),
        (["edit", "nope"], "no scheduled event or series with id 'nope'"),
    ],
)
def test_usage_errors_exit_2_before_sending(fake, ctl, args, message):
    result = ctl("schedule", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert fake.sent("POST", "/api/admin/schedule/event") == []


def test_server_refusal_is_exit_1_with_owncasts_error(fake, ctl):
    fake.route(
        "POST",
        "/api/admin/schedule/event",
        httpx.Response(400, json={"error": "start must be in the future"}),
    )
    result = ctl("schedule", "add", "x", "--start", "2000-01-01T10:00:00Z")
    assert result.exit_code == 1
    assert "start must be in the future" in result.stderr


def test_favicon_set_and_reset(fake, ctl, tmp_path):
    fake.route("POST", "/api/admin/config/favicon", OK)
    fake.route("DELETE", "/api/admin/config/favicon", OK)
    icon = tmp_path / "icon.png"
    icon.write_bytes(b"\x89PNG fake")
    assert ctl("favicon", "set", str(icon)).exit_code == 0
    assert fake.sent("POST", "/api/admin/config/favicon") == [
        {"value": "data:image/png;base64," + base64.b64encode(b"\x89PNG fake").decode()}
    ]
    result = ctl("favicon", "reset")
    assert result.exit_code == 0 and "favicon reset to default" in result.stdout
    assert len(fake.sent("DELETE", "/api/admin/config/favicon")) == 1
    result = ctl("favicon", "set", str(tmp_path / "missing.png"))
    assert result.exit_code == 2 and "must be an image file" in result.stderr

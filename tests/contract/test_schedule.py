"""Owncast's scheduled events (develop §5.2): the public schedule and calendar, the admin's
CRUD and preview, the `schedule/*` setters, and what `/api/config` and `/api/status` show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

PARIS_WEEKLY = "DTSTART;TZID=Europe/Paris:20260302T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO"


def at(admin: AdminHarness, **delta: float) -> str:
    """The harness's wall time moved by `delta`, as RFC 3339."""
    return (admin.wall.now + timedelta(**delta)).astimezone(UTC).isoformat()


async def enable(admin: AdminHarness, **more: Any) -> None:
    response, _ = await admin.set_config("schedule/enabled", True)
    assert response.status_code == 200
    for name, value in more.items():
        response, _ = await admin.set_config(f"schedule/{name}", value)
        assert response.status_code == 200


async def upsert(admin: AdminHarness, **body: Any) -> tuple[int, Any]:
    response, payload = await admin.post("/api/admin/schedule/event", body)
    return response.status_code, payload


async def one_off(admin: AdminHarness, name: str = "Friday jam", **body: Any) -> dict[str, Any]:
    body.setdefault("start", at(admin, hours=2))
    status, schedule = await upsert(admin, name=name, **body)
    assert status == 200, schedule
    return next(e for e in schedule["events"] if e["name"] == name)


async def test_setters_take_owncasts_values_and_answer_owncasts_errors(admin: AdminHarness):
    _, config = await admin.get("/api/config", auth=False)
    assert config["schedule"] == {
        "enabled": False,
        "showCountdown": True,
        "chatOpenMinutesBefore": 0,
    }
    await enable(admin, showcountdown=False, chatopenminutes=30, remindermessage="Soon!")
    _, config = await admin.get("/api/config", auth=False)
    assert config["schedule"] == {
        "enabled": True,
        "showCountdown": False,
        "chatOpenMinutesBefore": 30,
    }
    assert admin.settings.current.schedule.reminder_message == "Soon!"
    assert "chat_open_minutes = 30" in admin.config_text()
    refusals = [
        ("schedule/enabled", "yes", "value must be a boolean"),
        ("schedule/showcountdown", 1, "value must be a boolean"),
        ("schedule/chatopenminutes", 7, "chatOpenMinutesBefore must be one of 0, 5, 10, 30, 60"),
        ("schedule/chatopenminutes", 5.5, "chatOpenMinutesBefore must be one of 0, 5, 10, 30, 60"),
        ("schedule/chatopenminutes", "5", "chatOpenMinutesBefore must be one of 0, 5, 10, 30, 60"),
        ("schedule/remindermessage", 3, "value must be a string"),
    ]
    for setter, value, message in refusals:
        response, body = await admin.set_config(setter, value)
        assert (response.status_code, body) == (400, {"error": message}), setter
    assert admin.settings.current.schedule.chat_open_minutes == 30


async def test_public_schedule_is_empty_while_disabled_and_checks_its_range(admin: AdminHarness):
    await one_off(admin)
    response, body = await admin.get("/api/schedule", auth=False)
    assert (response.status_code, body) == (200, [])
    response, _ = await admin.request("OPTIONS", "/api/schedule", auth=False)
    assert response.status_code == 204

    await enable(admin)
    response, body = await admin.get("/api/schedule", auth=False)
    assert response.status_code == 200
    assert [e["name"] for e in body] == ["Friday jam"]
    assert set(body[0]) == {
        "id",
        "name",
        "description",
        "startTime",
        "durationMinutes",
        "timezone",
        "status",
    }
    query = {"from": at(admin, days=1), "to": at(admin)}
    response, body = await admin.get("/api/schedule", query_string=query, auth=False)
    assert (response.status_code, body) == (400, {"error": "to must be after from"})
    query = {"from": at(admin), "to": at(admin, days=367)}
    response, body = await admin.get("/api/schedule", query_string=query, auth=False)
    assert (response.status_code, body) == (400, {"error": "requested schedule range is too large"})
    query = {"from": at(admin, hours=3), "to": at(admin, days=1)}
    _, body = await admin.get("/api/schedule", query_string=query, auth=False)
    assert body == []  # the event starts before the range


UPSERT_REFUSALS = [
    ({"start": "+2h"}, "name is required"),
    ({"name": "   ", "start": "+2h"}, "name is required"),
    (
        {"name": "x", "start": "+2h", "durationMinutes": 0},
        "durationMinutes must be between 1 and 10080",
    ),
    (
        {"name": "x", "start": "+2h", "durationMinutes": 10081},
        "durationMinutes must be between 1 and 10080",
    ),
    (
        {"name": "x", "start": "+2h", "recurrence": PARIS_WEEKLY},
        "start and recurrence are mutually exclusive",
    ),
    ({"name": "x"}, "start is required"),
    ({"name": "x", "start": "-1h"}, "start must be in the future"),
    ({"name": "x", "start": "2026-13-01"}, "start must be an RFC 3339 time"),
    ({"name": "x", "start": "+2h", "timezone": "Mars/Olympus"}, "unknown timezone"),
    ({"name": "x", "recurrence": "RRULE:FREQ=DAILY"}, None),
    (
        {"name": "x", "recurrence": "DTSTART;TZID=Nowhere/Land:20260302T180000\nRRULE:FREQ=DAILY"},
        "unknown timezone",
    ),
    ({"name": "x", "recurrence": "DTSTART;TZID=UTC:20260302T180000\nRRULE:FREQ=SOMETIMES"}, None),
    ({"id": "nope", "name": "x"}, "no scheduled event or series with that id"),
]


@pytest.mark.parametrize("body, message", UPSERT_REFUSALS)
async def test_upsert_validation(admin: AdminHarness, body: dict[str, Any], message: str | None):
    if isinstance(body.get("start"), str) and body["start"][0] in "+-":
        body = {**body, "start": at(admin, hours=int(body["start"][:-1]))}
    status, reply = await upsert(admin, **body)
    assert status == 400
    assert set(reply) == {"error"}
    if message is not None:
        assert reply["error"] == message
    _, schedule = await admin.get("/api/admin/schedule")
    assert schedule == {"series": [], "events": []}


async def test_one_off_create_update_cancel_delete(admin: AdminHarness):
    event = await one_off(admin, description="Bring, snacks", timezone="America/New_York")
    assert event["timezone"] == "America/New_York"
    assert event["durationMinutes"] == 60 and event["status"] == "scheduled"
    assert "seriesId" not in event
    start = datetime.fromisoformat(event["startTime"])
    assert event["startTime"].endswith("Z") and start == admin.wall.now.replace(
        microsecond=0
    ) + timedelta(hours=2)

    status, reply = await upsert(admin, id=event["id"], name="x", timezone="UTC")
    assert (status, reply) == (400, {"error": "timezone cannot be changed"})
    status, reply = await upsert(admin, id=event["id"], name="x", recurrence=PARIS_WEEKLY)
    assert (status, reply) == (400, {"error": "recurrence cannot be set on a one-off event"})
    status, reply = await upsert(admin, id=event["id"], name="x", start=at(admin, hours=-1))
    assert (status, reply) == (400, {"error": "start must be in the future"})
    status, schedule = await upsert(
        admin, id=event["id"], name=" Moved ", start=at(admin, days=1), durationMinutes=90
    )
    assert status == 200
    [moved] = schedule["events"]
    assert (moved["id"], moved["name"], moved["durationMinutes"]) == (event["id"], "Moved", 90)
    assert moved["description"] == "Bring, snacks"  # kept when not given

    response, schedule = await admin.post(
        "/api/admin/schedule/event/delete", {"id": event["id"], "cancel": True}
    )
    assert response.status_code == 200
    assert schedule["events"][0]["status"] == "cancelled"
    response, schedule = await admin.post("/api/admin/schedule/event/delete", {"id": event["id"]})
    assert (response.status_code, schedule) == (200, {"series": [], "events": []})
    response, reply = await admin.post("/api/admin/schedule/event/delete", {"id": event["id"]})
    assert (response.status_code, reply) == (
        400,
        {"error": "no scheduled event or series with that id"},
    )


async def test_a_series_is_materialised_30_days_ahead_in_its_zone(admin: AdminHarness):
    # The wall clock is 2026-03-01; Paris moves to summer time on 2026-03-29.
    status, schedule = await upsert(admin, name="Monday show", recurrence=PARIS_WEEKLY)
    assert status == 200
    [series] = schedule["series"]
    assert series == {
        "id": series["id"],
        "name": "Monday show",
        "description": "",
        "recurrence": PARIS_WEEKLY,
        "durationMinutes": 60,
        "active": True,
    }
    starts = [e["startTime"] for e in schedule["events"]]
    assert starts == [
        "2026-03-02T17:00:00Z",
        "2026-03-09T17:00:00Z",
        "2026-03-16T17:00:00Z",
        "2026-03-23T17:00:00Z",
        "2026-03-30T16:00:00Z",  # still 18:00 in Paris
    ]
    assert {e["seriesId"] for e in schedule["events"]} == {series["id"]}
    assert {e["timezone"] for e in schedule["events"]} == {"Europe/Paris"}

    first = schedule["events"][0]["id"]
    await admin.post("/api/admin/schedule/event/delete", {"id": first})
    admin.wall.advance(7 * 86400)  # a week later the ticker adds 6 April, never 2 March again
    await admin.control.schedule.tick()
    await admin.control.schedule.tick()
    _, schedule = await admin.get("/api/admin/schedule")
    starts = [e["startTime"] for e in schedule["events"]]
    assert starts == [
        "2026-03-09T17:00:00Z",
        "2026-03-16T17:00:00Z",
        "2026-03-23T17:00:00Z",
        "2026-03-30T16:00:00Z",
        "2026-04-06T16:00:00Z",
    ]


async def test_series_edits_regenerate_and_cancel_keeps_slots(admin: AdminHarness):
    _, schedule = await upsert(admin, name="Monday show", recurrence=PARIS_WEEKLY)
    series_id = schedule["series"][0]["id"]
    cancelled = schedule["events"][1]["id"]
    await admin.post("/api/admin/schedule/event/delete", {"id": cancelled, "cancel": True})
    status, reply = await upsert(admin, id=series_id, name="x", start=at(admin, hours=2))
    assert (status, reply) == (
        400,
        {"error": "start cannot be set on a series; edit the recurrence"},
    )
    status, reply = await upsert(admin, id=series_id, name="x", timezone="UTC")
    assert (status, reply) == (400, {"error": "timezone cannot be changed"})

    later = PARIS_WEEKLY.replace("T180000", "T200000")
    status, schedule = await upsert(admin, id=series_id, name="Late show", recurrence=later)
    assert status == 200
    events = {e["startTime"]: e for e in schedule["events"]}
    assert events["2026-03-09T17:00:00Z"]["status"] == "cancelled"  # kept, not regenerated
    scheduled = [t for t, e in events.items() if e["status"] == "scheduled"]
    assert scheduled == [
        "2026-03-02T19:00:00Z",
        "2026-03-09T19:00:00Z",
        "2026-03-16T19:00:00Z",
        "2026-03-23T19:00:00Z",
        "2026-03-30T18:00:00Z",
    ]
    assert {events[t]["name"] for t in scheduled} == {"Late show"}

    response, schedule = await admin.post(
        "/api/admin/schedule/event/delete", {"id": series_id, "cancel": True}
    )
    assert response.status_code == 200 and schedule["series"][0]["active"] is False
    admin.wall.advance(9 * 86400)  # the first two Mondays are past: they stay
    response, schedule = await admin.post("/api/admin/schedule/event/delete", {"id": series_id})
    assert schedule["series"] == []
    assert [(e["startTime"], e["status"]) for e in schedule["events"]] == [
        ("2026-03-02T19:00:00Z", "scheduled"),
        ("2026-03-09T17:00:00Z", "cancelled"),
        ("2026-03-09T19:00:00Z", "scheduled"),
    ]  # every future occurrence went with the series


async def test_preview_lists_five_upcoming_instants(admin: AdminHarness):
    response, body = await admin.post("/api/admin/schedule/preview", {"recurrence": PARIS_WEEKLY})
    assert response.status_code == 200
    assert body["occurrences"][:2] == ["2026-03-02T17:00:00Z", "2026-03-09T17:00:00Z"]
    assert len(body["occurrences"]) == 5
    response, body = await admin.post(
        "/api/admin/schedule/preview", {"recurrence": "RRULE:FREQ=DAILY"}
    )
    assert response.status_code == 400 and set(body) == {"error"}
    response, _ = await admin.post(
        "/api/admin/schedule/preview", {"recurrence": PARIS_WEEKLY}, auth=False
    )
    assert response.status_code == 401


async def test_calendar_format(admin: AdminHarness):
    response, body = await admin.get("/api/schedule.ics", auth=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response.headers["Cache-Control"]
    assert body.decode() == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Owncast//Schedule//EN\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n"
        "END:VCALENDAR\r\n"
    )  # disabled: an empty calendar

    await enable(admin)
    description = "Line one\nsemi; comma, back\\slash " + "é" * 40
    event = await one_off(admin, name="Jam", description=description, durationMinutes=90)
    await admin.post("/api/admin/schedule/event/delete", {"id": event["id"], "cancel": True})
    _, body = await admin.get("/api/schedule.ics", auth=False)
    text = body.decode()
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "\n" not in "".join(lines)
    unfolded = text.replace("\r\n ", "").split("\r\n")
    stamp = admin.wall.now.astimezone(UTC)
    start = stamp.replace(microsecond=0) + timedelta(hours=2)
    assert unfolded[6:16] == [
        "BEGIN:VEVENT",
        f"UID:{event['id']}@owncast",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + timedelta(minutes=90):%Y%m%dT%H%M%SZ}",
        "SUMMARY:Jam",
        "DESCRIPTION:Line one\\nsemi\\; comma\\, back\\\\slash " + "é" * 40,
        "STATUS:CANCELLED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    folded = [line for line in lines if line.startswith(" ")]
    assert folded and all(len(line.encode()) <= 75 for line in folded)


async def test_admin_routes_need_the_admin(admin: AdminHarness):
    for method, path in [
        ("GET", "/api/admin/schedule"),
        ("POST", "/api/admin/schedule/event"),
        ("POST", "/api/admin/schedule/event/delete"),
        ("POST", "/api/admin/schedule/preview"),
    ]:
        response, _ = await admin.request(method, path, auth=False, json={})
        assert response.status_code == 401, path
        response, _ = await admin.request("OPTIONS", path, auth=False)
        assert response.status_code == 204, path


async def test_deleting_a_series_takes_its_future_occurrences_cancelled_or_not(
    admin: AdminHarness,
):
    status, schedule = await upsert(
        admin, name="Monday show", recurrence=PARIS_WEEKLY, timezone="Asia/Tokyo"
    )
    assert status == 200  # a series' zone is its DTSTART's: `timezone` is not used
    assert {e["timezone"] for e in schedule["events"]} == {"Europe/Paris"}
    series_id, second = schedule["series"][0]["id"], schedule["events"][1]["id"]
    await admin.post("/api/admin/schedule/event/delete", {"id": second, "cancel": True})
    response, schedule = await admin.post("/api/admin/schedule/event/delete", {"id": series_id})
    assert (response.status_code, schedule) == (200, {"series": [], "events": []})

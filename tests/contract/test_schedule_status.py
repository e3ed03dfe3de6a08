"""Owncast's scheduled events as viewers and chat see them (develop §5.2): `/api/status`'s
`scheduledEvent` (cached 10 s, `chatOpen`) and missed events (chat warning, auto-cancel)."""

from __future__ import annotations

from datetime import timedelta

from owncastd.core.schedule.models import ScheduledEvent
from owncastd.core.schedule.service import MISSED_WARNING
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.contract.test_schedule import at, enable, one_off


async def test_status_shows_the_next_event_while_enabled(admin: AdminHarness, mock_clock):
    event = await one_off(admin, start=at(admin, minutes=20), description="d")
    _, status = await admin.get("/api/status", auth=False)
    assert "scheduledEvent" not in status  # disabled
    await enable(admin, chatopenminutes=30)
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"] == {
        "id": event["id"],
        "name": "Friday jam",
        "description": "d",
        "startTime": event["startTime"],
        "durationMinutes": 60,
        "chatOpen": True,  # 30 minutes before the start
    }
    await admin.set_config("schedule/chatopenminutes", 10)
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"]["chatOpen"] is False

    # The lookup is cached for 10 s: a deletion shows at once (the cache is dropped), a new
    # event from elsewhere (the ticker) after at most 10 s.
    await admin.post("/api/admin/schedule/event/delete", {"id": event["id"]})
    _, status = await admin.get("/api/status", auth=False)
    assert "scheduledEvent" not in status
    service = admin.control.schedule
    await service.upsert({"name": "Later", "start": at(admin, hours=5)})
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"]["name"] == "Later"


async def test_the_status_lookup_is_cached_ten_seconds(admin: AdminHarness, mock_clock):
    await enable(admin)
    _, status = await admin.get("/api/status", auth=False)
    assert "scheduledEvent" not in status
    store = admin.control.schedule._repo  # an event written past the service (as by a peer)
    await store.save_event(
        ScheduledEvent("e1", "Sneaky", "", admin.wall.now + timedelta(hours=1), 30, "UTC")
    )
    _, status = await admin.get("/api/status", auth=False)
    assert "scheduledEvent" not in status
    mock_clock.jump(10)
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"]["name"] == "Sneaky"


async def test_a_missed_event_warns_chat_then_is_cancelled(admin: AdminHarness, mock_clock):
    await enable(admin, chatopenminutes=10)
    service = admin.control.schedule
    sent: list[str] = []

    async def record(text: str) -> None:
        sent.append(text)

    service.chat_warning.append(record)
    event = await one_off(admin, start=at(admin, minutes=5))
    admin.wall.advance(5 * 60 + 8 * 60)  # start + 8 min
    await service.tick()
    assert sent == []
    admin.wall.advance(60)  # start + 9 min
    await service.tick()
    await service.tick()
    assert sent == [MISSED_WARNING]
    mock_clock.jump(10)
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"]["chatOpen"] is True
    admin.wall.advance(60)  # start + 10 min
    mock_clock.jump(10)
    _, status = await admin.get("/api/status", auth=False)
    assert status["scheduledEvent"]["chatOpen"] is False  # forced off: offline past start + 10
    await service.tick()
    _, schedule = await admin.get("/api/admin/schedule")
    assert [e["status"] for e in schedule["events"]] == ["cancelled"]
    assert schedule["events"][0]["id"] == event["id"]
    _, status = await admin.get("/api/status", auth=False)
    assert "scheduledEvent" not in status


async def test_an_event_the_streamer_went_live_for_is_not_missed(admin: AdminHarness, mock_clock):
    await enable(admin, chatopenminutes=10)
    event = await one_off(admin, start=at(admin, minutes=5))
    session = await admin.go_online()
    admin.wall.advance(20 * 60)
    await admin.control.schedule.tick()
    assert admin.stream.online
    del session
    _, schedule = await admin.get("/api/admin/schedule")
    assert schedule["events"][0] == {**event, "status": "scheduled"}


async def test_a_failing_database_does_not_stop_the_ticker(admin: AdminHarness, caplog):
    import sqlite3

    service = admin.control.schedule

    async def broken() -> list:
        raise sqlite3.OperationalError("disk I/O error")

    service._repo.all_series = broken  # type: ignore[method-assign]
    await service.tick()  # logged, not raised: the control plane keeps running
    assert "schedule tick failed error=OperationalError: disk I/O error" in caplog.text


async def test_status_still_answers_when_the_schedule_cannot_be_read(admin: AdminHarness):
    import sqlite3

    await enable(admin)
    await one_off(admin)

    async def broken(now: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    admin.control.schedule._repo.next_current = broken  # type: ignore[method-assign]
    admin.control.schedule._cached = None
    response, status = await admin.get("/api/status", auth=False)
    assert response.status_code == 200 and "scheduledEvent" not in status
    assert status["online"] is False

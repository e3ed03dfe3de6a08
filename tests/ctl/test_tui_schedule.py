"""The dashboard's `e` view lists upcoming scheduled streams from the admin schedule."""

from __future__ import annotations

from owncastctl.errors import ServerRefusedError
from owncastctl.tui.schedule import ScheduleScreen
from tests.ctl import test_tui
from tests.ctl.test_schedule_commands import EVENT, PAST, SCHEDULE
from tests.ctl.test_tui import FakeSource, _export, wait_until


class ScheduleSource(FakeSource):
    """The fake dashboard source, with a schedule."""

    answer: object = SCHEDULE

    async def schedule(self):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def run(scenario, monkeypatch, answer=SCHEDULE) -> None:
    ScheduleSource.answer = answer
    monkeypatch.setattr(test_tui, "FakeSource", ScheduleSource)
    test_tui.run(scenario)


def test_e_lists_upcoming_events_and_closes(monkeypatch):
    async def scenario(app, pilot, source):
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
        text = _export(app)
        assert "Upcoming streams (1)" in text
        assert "2099-05-01 18:00 Europe/Paris  90 min  Friday jam" in text
        assert PAST["name"] not in text
        assert "1 series, 1 active" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ScheduleScreen))

    run(scenario, monkeypatch)


def test_cancelled_and_empty_and_failing(monkeypatch):
    async def cancelled(app, pilot, source):
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
        assert "Friday jam  (cancelled)" in _export(app)

    run(cancelled, monkeypatch, {"series": [], "events": [{**EVENT, "status": "cancelled"}]})

    async def empty(app, pilot, source):
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
        assert "nothing scheduled" in _export(app)

    run(empty, monkeypatch, {"series": [], "events": []})

    async def failing(app, pilot, source):
        await pilot.press("e")
        await wait_until(
            pilot, lambda: any("schedule failed" in n.message for n in app._notifications)
        )
        assert not isinstance(app.screen, ScheduleScreen)
        assert app.is_running  # a refusal is a notification, not a crash

    run(failing, monkeypatch, ServerRefusedError("owncastd refused reading the schedule: nope"))

"""The dashboard's `r` view lists the replays and says why recording stopped."""

from __future__ import annotations

from owncastctl.errors import ServerRefusedError
from owncastctl.tui.replays import ReplaysScreen
from tests.ctl import test_tui
from tests.ctl.test_replays_commands import LISTING
from tests.ctl.test_tui import FakeSource, _export, wait_until


class ReplaySource(FakeSource):
    """The fake dashboard source, with replays."""

    answer: object = LISTING

    async def replays(self):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def run(scenario, monkeypatch, answer=LISTING) -> None:
    ReplaySource.answer = answer
    monkeypatch.setattr(test_tui, "FakeSource", ReplaySource)
    test_tui.run(scenario)


def test_r_lists_replays_and_closes(monkeypatch):
    async def scenario(app, pilot, source):
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplaysScreen))
        text = _export(app)
        assert "Replays (2)" in text
        assert "disk nearly full" in text
        assert "1h 02m 03s  Friday jam  (public)" in text
        assert "Now  (recording)" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReplaysScreen))

    run(scenario, monkeypatch)


def test_empty_and_failing(monkeypatch):
    async def empty(app, pilot, source):
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplaysScreen))
        assert "no replays yet" in _export(app)

    run(empty, monkeypatch, {"replays": [], "recording": None, "problem": None})

    async def failing(app, pilot, source):
        await pilot.press("r")
        await wait_until(
            pilot, lambda: any("replays failed: nope" in n.message for n in app._notifications)
        )
        assert not isinstance(app.screen, ReplaysScreen)
        assert app.is_running  # a refusal is a notification, not a crash

    run(failing, monkeypatch, ServerRefusedError("nope", 500))

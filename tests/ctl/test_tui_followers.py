"""The dashboard's `f` view lists followers, pending requests and recent engagement."""

from __future__ import annotations

from owncastctl.errors import ServerRefusedError
from owncastctl.tui.followers import FollowersScreen
from tests.ctl import test_tui
from tests.ctl.test_followers_commands import ALICE, BOB
from tests.ctl.test_tui import FakeSource, _export, wait_until

LIKE = {
    "iri": "https://s/federation/n1",
    "actorIRI": ALICE["link"],
    "type": "FEDIVERSE_ENGAGEMENT_LIKE",
    "timestamp": "2026-03-01T18:00:00Z",
}
PAYLOAD = {
    "followers": {"total": 1, "results": [ALICE]},
    "pending": [BOB],
    "actions": {"total": 1, "results": [LIKE]},
}


class FollowerSource(FakeSource):
    """The fake dashboard source, with followers."""

    answer: object = PAYLOAD

    async def followers(self):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def run(scenario, monkeypatch, answer=PAYLOAD) -> None:
    FollowerSource.answer = answer
    monkeypatch.setattr(test_tui, "FakeSource", FollowerSource)
    test_tui.run(scenario)


def test_f_lists_followers_pending_and_engagement(monkeypatch):
    async def scenario(app, pilot, source):
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FollowersScreen))
        text = _export(app)
        assert "Followers (1)" in text and "alice@m.example  Alice" in text
        assert "Waiting for approval (1)" in text and "bob@b.example" in text
        assert "https://m.example/users/alice liked https://s/federation/n1" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, FollowersScreen))

    run(scenario, monkeypatch)


def test_a_failure_is_a_notification(monkeypatch):
    async def failing(app, pilot, source):
        await pilot.press("f")
        await wait_until(
            pilot, lambda: any("followers failed: nope" in n.message for n in app._notifications)
        )
        assert not isinstance(app.screen, FollowersScreen) and app.is_running

    run(failing, monkeypatch, ServerRefusedError("nope", 500))

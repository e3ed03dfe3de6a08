"""The dashboard's fediverse panel and its `f` view: followers, follow requests (approve and
reject), recent engagement; hidden while federation is off."""

from __future__ import annotations

import asyncio

import httpx

from owncastctl.errors import ServerRefusedError
from owncastctl.federation_view import short_actor
from owncastctl.tui.federation import FederationPanel, RequestsScreen
from owncastctl.tui.screens import ConfirmScreen
from tests.ctl import test_tui
from tests.ctl.test_federation_commands import ACTIONS, ALICE, ALICE2, CAROL
from tests.ctl.test_tui import FakeSource, _export, wait_until

ON = {
    "enabled": True,
    "account": "streamer@ours.example",
    "followers": 12,
    "pending": [ALICE, ALICE2],
    "actions": ACTIONS["results"],
}


class FederatedSource(FakeSource):
    """The fake dashboard source, with a fediverse snapshot."""

    answer: dict = ON

    async def federation(self):
        return self.answer


def run(scenario, monkeypatch, answer=ON, intervals=None) -> FakeSource:
    FederatedSource.answer = answer
    monkeypatch.setattr(test_tui, "FakeSource", FederatedSource)
    return test_tui.run(scenario, intervals)


def _notified(app, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


def test_panel_shows_followers_requests_and_engagement(monkeypatch):
    async def scenario(app, pilot, source):
        panel = app.query_one(FederationPanel)
        await wait_until(pilot, lambda: panel.display and panel.size.height == 3)  # on screen
        text = str(panel.render())
        assert "12 followers · 2 waiting (f)" in text
        assert "like alice@mastodon.example" in text  # the pending request's account
        assert "boost carol@social.example" in text  # from the IRI: /users/<name> at host

    run(scenario, monkeypatch)


def test_panel_hidden_and_f_says_so_while_federation_is_off(monkeypatch):
    async def scenario(app, pilot, source):
        await pilot.pause()
        await pilot.press("f")
        await wait_until(pilot, lambda: _notified(app, "Federation is off"))
        assert not app.query_one(FederationPanel).display
        assert not isinstance(app.screen, RequestsScreen)
        assert "followers" not in _export(app)

    run(scenario, monkeypatch, {"enabled": False})


def test_f_approves_and_rejects_requests(monkeypatch):
    async def scenario(app, pilot, source):
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestsScreen))
        text = _export(app)
        assert "Follow requests (2)" in text and "streamer@ours.example" in text
        assert "like  https://mastodon.example/users/alice" in text
        await pilot.press("a")  # the first request is selected
        await wait_until(pilot, lambda: ("approve", ALICE["link"], True) in source.calls)
        await wait_until(pilot, lambda: len(app.screen.query("RequestItem")) == 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Reject alice@other.example?" in app.screen.question
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestsScreen))
        assert not [c for c in source.calls if c[2] is False]
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: ("approve", ALICE2["link"], False) in source.calls)
        await wait_until(pilot, lambda: _notified(app, "alice@other.example rejected"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RequestsScreen))

    run(scenario, monkeypatch)


def test_a_refused_approval_is_a_notification_and_keeps_the_request(monkeypatch):
    async def scenario(app, pilot, source):
        source.fail_actions = True
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestsScreen))
        await pilot.press("a")
        await wait_until(pilot, lambda: _notified(app, "refused by the fake"))
        assert len(app.screen.query("RequestItem")) == 2
        assert app.is_running

    run(scenario, monkeypatch)


def test_http_source_snapshot(fake, tmp_path):
    """The real source: /api/config decides; when on, followers, requests and activity."""
    from owncastctl.client import Connection
    from owncastctl.credentials import CredentialStore
    from owncastctl.tui.source import HttpSource
    from tests.ctl.conftest import PASSWORD, URL

    fake.route("GET", "/api/config", {"name": "x", "federation": {"enabled": False}})
    fake.route("GET", "/api/admin/followers", {"total": 12, "results": [CAROL]})
    fake.route("GET", "/api/admin/followers/pending", [ALICE])
    fake.route("GET", "/api/admin/federation/actions", ACTIONS)
    fake.route("POST", "/api/admin/followers/approve", {"success": True})

    async def scenario() -> None:
        source = HttpSource(
            Connection(URL, PASSWORD), CredentialStore(tmp_path), httpx.MockTransport(fake.handle)
        )
        assert await source.federation() == {"enabled": False}
        assert [r.url.path for r in fake.requests] == ["/api/config"]
        account = {"enabled": True, "account": "streamer@ours.example", "followerCount": 12}
        fake.route("GET", "/api/config", {"federation": account})
        assert await source.federation() == {
            "enabled": True,
            "account": "streamer@ours.example",
            "followers": 12,
            "pending": [ALICE],
            "actions": ACTIONS["results"],
        }
        actions = next(r for r in fake.requests if r.url.path.endswith("/actions"))
        assert dict(actions.url.params) == {"offset": "0", "limit": "5"}
        await source.approve_follower(ALICE["link"], True)
        assert fake.sent("POST", "/api/admin/followers/approve") == [
            {"actorIRI": ALICE["link"], "approved": True}
        ]
        await source.aclose()

    asyncio.run(scenario())


def test_refused_snapshot_is_a_notification(monkeypatch):
    class Refusing(FederatedSource):
        async def federation(self):
            raise ServerRefusedError("nope", 500)

    async def scenario(app, pilot, source):
        await pilot.press("f")
        await wait_until(pilot, lambda: _notified(app, "fediverse failed: nope"))
        assert app.is_running

    monkeypatch.setattr(test_tui, "FakeSource", Refusing)
    test_tui.run(scenario)


def test_short_actor_keeps_a_non_default_port():
    assert short_actor("http://127.0.0.1:8095/users/bob") == "bob@127.0.0.1:8095"
    assert short_actor("https://m.example:443/users/@bob") == "bob@m.example"
    assert short_actor("https://m.example:bad/users/bob") == "https://m.example:bad/users/bob"

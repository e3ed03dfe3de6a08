"""The dashboard with a fake source, driven by Textual's Pilot (asyncio, so sync test functions).

A message arrives, it is hidden, its author is banned after a confirmation; the calls reach the
source, the panels show what the source reports, and a failing daemon is shown, not fatal.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import ListView

from owncastctl.errors import ServerRefusedError, UnreachableError
from owncastctl.tui.app import DashboardApp
from owncastctl.tui.screens import ConfirmScreen, PromptScreen, UserScreen
from owncastctl.tui.source import LINK
from owncastctl.tui.widgets import ChatLine, HeaderBar
from tests.ctl.conftest import ADMIN_STATUS, ALICE, BOB, HARDWARE, LOGS

CLIENTS = [
    {"connectedAt": "2024-05-01T12:00:00Z", "user": BOB, "userAgent": "Firefox", "messageCount": 2}
]
VIEWERS = [{"ipAddress": "198.51.100.4", "userAgent": "Mozilla", "firstSeen": "x"}]
VIDEO_METRICS = {
    "liveLatency": {"clients": 3, "p50": 6.31, "p95": 7.04, "liveEdgeP50": 6.0, "liveEdgeP95": 6.5},
    "liveLatencyP95": [{"time": "2024-05-01T12:00:00Z", "value": 7.04}],
}


class FakeSource:
    """Answers from memory, records actions, delivers chat events from a queue."""

    url = "http://owncast.test:8080"

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.status_answer: Any = ADMIN_STATUS
        self.fail_actions = False
        self.closed = False
        self.cluster_answer: dict[str, Any] = {"role": "single", "redis": None, "edges": []}

    async def status(self):
        if isinstance(self.status_answer, Exception):
            raise self.status_answer
        return self.status_answer

    async def hardware(self):
        return HARDWARE

    async def video_metrics(self):
        return VIDEO_METRICS

    async def cluster(self):
        return self.cluster_answer

    async def viewers(self):
        return VIEWERS

    async def chat_clients(self):
        return CLIENTS

    async def warnings(self):
        return LOGS[1:]

    async def chat_events(self):
        while True:
            yield await self.events.get()

    async def _record(self, *call):
        self.calls.append(call)
        if self.fail_actions:
            raise ServerRefusedError("refused by the fake", 400)

    async def set_visibility(self, ids, visible):
        await self._record("visibility", ids, visible)

    async def set_enabled(self, user_id, enabled):
        await self._record("enabled", user_id, enabled)

    async def set_moderator(self, user_id, is_moderator):
        await self._record("moderator", user_id, is_moderator)

    async def send_system(self, text):
        await self._record("system", text)

    async def set_title(self, title):
        await self._record("title", title)

    async def disconnect(self):
        await self._record("disconnect")

    async def escalate(self, message_id, note):
        await self._record("escalate", message_id, note)

    async def aclose(self):
        self.closed = True


def chat(message_id: str, user: dict, body: str) -> dict[str, Any]:
    return {
        "type": "CHAT",
        "id": message_id,
        "timestamp": "2024-05-01T12:00:00Z",
        "user": user,
        "body": f"<p>{body}</p>",
        "visible": True,
    }


def run(scenario, intervals: dict[str, float] | None = None) -> FakeSource:
    source = FakeSource()

    async def main() -> None:
        app = DashboardApp(source, intervals=intervals)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await scenario(app, pilot, source)
        assert source.closed

    asyncio.run(main())
    return source


async def wait_until(pilot, condition, limit: float = 5.0) -> None:
    """Pause until `condition()` holds (fails after `limit` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.02)


async def settle(pilot, source: FakeSource) -> None:
    """Let queued events and workers run."""
    for _ in range(5):
        await pilot.pause()
        if source.events.empty():
            break
    await pilot.pause()


def _export(app) -> str:
    """The text of every panel and chat line on the current screen."""
    from textual.widgets import Static

    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


def test_message_arrives_is_hidden_and_its_author_banned():
    async def scenario(app, pilot, source):
        source.events.put_nowait({"type": LINK, "connected": True, "reason": ""})
        source.events.put_nowait(chat("m1", ALICE, "hello from alice"))
        source.events.put_nowait(chat("m2", BOB, "buy cheap followers"))
        await settle(pilot, source)
        lines = list(app.query(ChatLine))
        assert [line.message_id for line in lines] == ["m1", "m2"]
        assert app.query_one("#chat", ListView).index == 1  # follows the newest message
        # hide the selected (newest) message
        await pilot.press("h")
        await pilot.pause()
        assert ("visibility", ["m2"], False) in source.calls
        assert "(hidden)" in str(lines[1].query_one("Static").render())
        # ban its author: asks first; "n" cancels, "y" bans
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "Ban bob?" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert not [c for c in source.calls if c[0] == "enabled"]
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert ("enabled", "u-bob", False) in source.calls
        # the server's VISIBILITY-UPDATE for alice's message is applied
        source.events.put_nowait({"type": "VISIBILITY-UPDATE", "ids": ["m1"], "visible": False})
        await settle(pilot, source)
        assert not lines[0].shown

    source = run(scenario)
    assert source.calls == [("visibility", ["m2"], False), ("enabled", "u-bob", False)]


def test_panels_show_status_hardware_audience_and_warnings():
    async def scenario(app, pilot, source):
        await settle(pilot, source)
        shot = _export(app)
        for text in (
            "LIVE",
            "Friday jam",
            "peak 5",
            "2500 kbps",
            "CPU",
            "35%",
            "1 watching",
            "1 in chat",
            "bob",
            "ffmpeg is slow",
            "p50 6.3 s p95 7.0 s",
            "3 players",
        ):
            assert text in shot, text

    run(scenario)


def test_moderator_toggle_user_details_title_system_message_and_disconnect():
    async def scenario(app, pilot, source):
        source.events.put_nowait(chat("m1", BOB, "first"))
        source.events.put_nowait(chat("m2", BOB, "second"))
        await settle(pilot, source)
        await pilot.press("m")
        await pilot.pause()
        assert ("moderator", "u-bob", True) in source.calls
        assert "mod" in str(app.query(ChatLine).first().query_one("Static").render())
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UserScreen) and len(app.screen.messages) == 2
        assert app.screen.clients == CLIENTS
        await pilot.press("escape")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and app.screen.value == "Friday jam"
        app.screen.query_one("Input").value = "New title"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"hi all", "enter")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()

    source = run(scenario)
    assert ("title", "New title") in source.calls
    assert ("system", "hi all") in source.calls
    assert ("disconnect",) in source.calls


def test_daemon_down_is_shown_and_recovery_too():
    async def scenario(app, pilot, source):
        header = app.query_one(HeaderBar)
        await wait_until(pilot, lambda: header.status)
        source.status_answer = UnreachableError(
            "cannot reach owncastd at http://x (from --url): connection refused or host unknown. "
            "Is it running?"
        )
        source.events.put_nowait({"type": LINK, "connected": False, "reason": "connection refused"})
        await wait_until(pilot, lambda: header.daemon_problem and header.chat_problem)
        assert header.daemon_problem == "connection refused or host unknown"
        assert header.chat_problem == "connection refused"
        assert "connection refused" in _export(app)
        source.status_answer = ADMIN_STATUS
        source.events.put_nowait({"type": LINK, "connected": True, "reason": ""})
        await wait_until(pilot, lambda: not header.daemon_problem and not header.chat_problem)
        assert "LIVE" in _export(app)

    run(scenario, intervals={"status": 0.05})


def test_failed_action_is_reported_not_fatal_and_nothing_selected_is_a_hint():
    async def scenario(app, pilot, source):
        await pilot.press("h")  # nothing to hide yet
        await pilot.pause()
        assert source.calls == []
        source.fail_actions = True
        source.events.put_nowait(chat("m1", ALICE, "x"))
        await settle(pilot, source)
        await pilot.press("h")
        await pilot.pause()
        await pilot.pause()
        assert source.calls == [("visibility", ["m1"], False)]
        assert app.is_running

    run(scenario)


def test_duplicate_messages_are_shown_once():
    async def scenario(app, pilot, source):
        for _ in range(3):  # e.g. history replayed after a reconnect
            source.events.put_nowait(chat("m1", ALICE, "once"))
        source.events.put_nowait({"type": "USER_JOINED", "id": "j", "user": BOB})
        await settle(pilot, source)
        assert len(app.query(ChatLine)) == 2

    run(scenario)


def test_http_source_reads_and_acts_through_the_admin_api(fake, tmp_path):
    """The real source against the fake daemon: reads, actions, and token reuse for `s`."""
    from owncastctl.client import Connection
    from owncastctl.credentials import CredentialStore
    from owncastctl.tui.source import HttpSource
    from tests.ctl.conftest import PASSWORD, URL

    fake.route("GET", "/api/admin/hardwarestats", HARDWARE)
    fake.route("GET", "/api/admin/metrics/video", VIDEO_METRICS)
    fake.route("GET", "/api/admin/chat/clients", CLIENTS)
    fake.route(
        "GET",
        "/api/admin/accesstokens",
        [
            {
                "accessToken": "sys-token",
                "displayName": "owncastctl",
                "scopes": ["CAN_SEND_SYSTEM_MESSAGES"],
            }
        ],
    )
    for path in (
        "/api/admin/chat/messagevisibility",
        "/api/admin/chat/users/setenabled",
        "/api/admin/config/streamtitle",
        "/api/integrations/chat/system",
    ):
        fake.route("POST", path, {"success": True})

    async def scenario() -> None:
        import httpx

        transport = httpx.MockTransport(fake.handle)
        source = HttpSource(Connection(URL, PASSWORD), CredentialStore(tmp_path), transport)
        assert (await source.status())["streamTitle"] == "Friday jam"
        assert await source.hardware() == HARDWARE
        assert await source.video_metrics() == VIDEO_METRICS
        assert await source.chat_clients() == CLIENTS
        await source.set_visibility(["m1"], False)
        await source.set_enabled("u-bob", False)
        await source.set_title("New")
        await source.send_system("hi")
        await source.aclose()

    asyncio.run(scenario())
    assert fake.sent("POST", "/api/admin/chat/users/setenabled") == [
        {"userId": "u-bob", "enabled": False}
    ]
    assert fake.sent("POST", "/api/admin/config/streamtitle") == [{"value": "New"}]
    system = [r for r in fake.requests if r.url.path == "/api/integrations/chat/system"]
    assert system[0].headers["authorization"] == "Bearer sys-token"
    assert not fake.sent("POST", "/api/admin/accesstokens/create")


def test_tui_command_needs_a_password(ctl):
    result = ctl("tui", password=None)
    assert result.exit_code == 2 and "no admin password" in result.stderr


def test_x_sends_the_selected_message_to_the_team_with_a_note():
    async def scenario(app, pilot, source):
        source.events.put_nowait({"type": LINK, "connected": True, "reason": ""})
        source.events.put_nowait(chat("m7", BOB, "buy cheap followers"))
        await settle(pilot, source)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("escape")  # cancelled: nothing sent
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        for key in "spam":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: source.calls)
        assert source.calls == [("escalate", "m7", "spam")]

    run(scenario)

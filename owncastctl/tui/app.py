"""`owncastctl tui`: a live moderation dashboard that never blocks on the network.

Every read is a Textual worker polling the daemon on its own interval; chat arrives over the
websocket in another worker; actions run in workers too. Failures never stop a worker: the header
shows what is wrong and the workers keep retrying, so the dashboard rides out daemon restarts and
network drops. Keys: ↑/↓ select a message, h hide/unhide, b ban the author, m (un)make moderator,
u the author's details, s send a system message, t edit the title, d disconnect, e upcoming
scheduled streams, r replays, f fediverse follow requests, q quit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, ListView

from owncastctl.client import Connection, missing_password
from owncastctl.credentials import CredentialStore
from owncastctl.errors import CtlError, UnreachableError
from owncastctl.tui.cluster import ClusterPanel
from owncastctl.tui.escalate import escalate_selected
from owncastctl.tui.federation import FederationPanel, open_requests
from owncastctl.tui.latency import LatencyPanel
from owncastctl.tui.replays import show_replays
from owncastctl.tui.schedule import ScheduleScreen
from owncastctl.tui.screens import ConfirmScreen, PromptScreen, UserScreen
from owncastctl.tui.source import LINK, DashboardSource, HttpSource, describe_error
from owncastctl.tui.widgets import (
    AudiencePanel,
    ChatLine,
    HardwarePanel,
    HeaderBar,
    WarningsPanel,
)

log = logging.getLogger(__name__)
MAX_LINES = 500
SHOWN_EVENTS = {"CHAT", "SYSTEM", "CHAT_ACTION", "USER_JOINED", "USER_PARTED", "NAME_CHANGE"}
SHOWN_EVENTS |= {f"FEDIVERSE_ENGAGEMENT_{kind}" for kind in ("FOLLOW", "LIKE", "REPOST")}


class DashboardApp(App[None]):
    """The dashboard for one daemon."""

    TITLE = "owncastctl"
    CSS = """
    HeaderBar { height: 2; background: $boost; padding: 0 1; }
    #body { height: 1fr; }
    #chat { width: 2fr; border: round $accent; }
    #side { width: 1fr; min-width: 30; }
    #hardware { height: 5; border: round $secondary; }
    #latency { height: 5; border: round $secondary; }
    #cluster { height: auto; max-height: 8; border: round $secondary; display: none; }
    #audience { height: 1fr; border: round $secondary; }
    #warnings { height: 1fr; border: round $warning; }
    ChatLine { height: auto; }
    """
    BINDINGS = [
        Binding("h", "hide", "Hide/show"),
        Binding("b", "ban", "Ban"),
        Binding("m", "moderator", "Mod"),
        Binding("u", "user", "User"),
        Binding("s", "system", "Say"),
        Binding("t", "title", "Title"),
        Binding("d", "disconnect", "Disconnect"),
        Binding("e", "schedule", "Events"),
        Binding("x", "escalate", "Team"),
        Binding("r", "replays", "Replays"),
        Binding("f", "fediverse", "Fediverse"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, source: DashboardSource, *, intervals: dict[str, float] | None = None):
        super().__init__()
        self.source = source
        self.intervals = {
            "status": 2.0, "hardware": 15.0, "audience": 5.0, "warnings": 10.0, "latency": 10.0,
            "federation": 15.0,
            "cluster": 5.0,
        }  # fmt: skip
        self.intervals.update(intervals or {})
        self.lines: dict[str, ChatLine] = {}
        self.clients: list[dict[str, Any]] = []
        self.viewers: list[dict[str, Any]] = []
        self.failures: dict[str, str] = {}  # poller → why its last call failed
        self.unreachable: dict[str, str] = {}  # poller → why the daemon did not answer it

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.source.url)
        with Horizontal(id="body"):
            chat = ListView(id="chat")
            chat.border_title = "Chat"
            yield chat
            with Vertical(id="side"):
                hardware = HardwarePanel("[dim]waiting…[/]", id="hardware")
                hardware.border_title = "Hardware"
                yield hardware
                latency = LatencyPanel("[dim]waiting…[/]", id="latency")
                latency.border_title = "Live latency"
                yield latency
                yield FederationPanel(id="federation")
                cluster = ClusterPanel("", id="cluster")
                cluster.border_title = "Cluster"
                yield cluster
                audience = AudiencePanel("[dim]waiting…[/]", id="audience")
                audience.border_title = "Audience"
                yield audience
                warnings = WarningsPanel("[dim]waiting…[/]", id="warnings")
                warnings.border_title = "Warnings"
                yield warnings
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chat", ListView).focus()
        self.poll("status", self.source.status, self.query_one(HeaderBar).show_status)
        self.poll("hardware", self.source.hardware, self.query_one(HardwarePanel).show)
        self.poll("latency", self.source.video_metrics, self.query_one(LatencyPanel).show)
        self.poll("cluster", self.source.cluster, self.query_one(ClusterPanel).show)
        self.poll("audience", self._audience, lambda _: None)
        self.poll("warnings", self.source.warnings, self.query_one(WarningsPanel).show)
        self.poll("federation", self.source.federation, self.query_one(FederationPanel).show)
        self.run_worker(self.follow_chat(), group="chat", exit_on_error=False)

    async def on_unmount(self) -> None:
        await self.source.aclose()

    # reading
    def poll(
        self, name: str, fetch: Callable[[], Awaitable[Any]], apply: Callable[[Any], None]
    ) -> None:
        """Run `fetch` every interval in a worker and hand the result to `apply`."""

        async def loop() -> None:
            while True:
                try:
                    apply(await fetch())
                    self.failures.pop(name, None)
                    self.unreachable.clear()  # the daemon answered: it is back for everyone
                except UnreachableError as exc:
                    self.unreachable[name] = describe_error(exc)
                except CtlError as exc:
                    self.failures[name] = describe_error(exc)
                except Exception as exc:  # a bad answer must not kill the dashboard
                    log.debug("poll failed name=%s", name, exc_info=True)
                    self.failures[name] = f"{type(exc).__name__} reading {name}"
                problems = [*self.unreachable.values(), *self.failures.values()]
                self.query_one(HeaderBar).set_daemon(problems[0] if problems else None)
                await asyncio.sleep(self.intervals[name])

        self.run_worker(loop(), group=f"poll-{name}", exit_on_error=False)

    async def _audience(self) -> None:
        self.viewers, self.clients = await asyncio.gather(
            self.source.viewers(), self.source.chat_clients()
        )
        self.query_one(AudiencePanel).show(self.viewers, self.clients)

    async def follow_chat(self) -> None:
        """Apply chat events as they arrive (the source reconnects by itself)."""
        async for event in self.source.chat_events():
            self.apply_event(event)

    def apply_event(self, event: dict[str, Any]) -> None:
        """One chat event: add a line, or change lines."""
        kind = event.get("type", "CHAT")
        if kind == LINK:
            self.query_one(HeaderBar).set_chat(None if event["connected"] else event["reason"])
        elif kind == "VISIBILITY-UPDATE":
            for message_id in event.get("ids") or []:
                line = self.lines.get(str(message_id))
                if line is not None:
                    line.event["visible"] = bool(event.get("visible"))
                    line.event.pop("hiddenAt", None)
                    line.redraw()
        elif kind in SHOWN_EVENTS:
            self.add_line(event)

    def add_line(self, event: dict[str, Any]) -> None:
        """Append a line (once per message id), keeping the newest MAX_LINES."""
        event_id = str(event.get("id") or "")
        if event_id and event_id in self.lines:
            return
        chat = self.query_one("#chat", ListView)
        line = ChatLine(dict(event))
        at_end = chat.index is None or chat.index >= len(chat) - 1
        chat.append(line)
        if event_id:
            self.lines[event_id] = line
        if len(chat) > MAX_LINES:
            oldest = chat.children[0]
            if isinstance(oldest, ChatLine) and oldest.message_id:
                self.lines.pop(oldest.message_id, None)
            oldest.remove()
        if at_end:
            chat.index = len(chat) - 1

    # acting
    def selected(self) -> ChatLine | None:
        """The highlighted CHAT message, or None (with a hint)."""
        item = self.query_one("#chat", ListView).highlighted_child
        if isinstance(item, ChatLine) and item.message_id:
            return item
        self.notify("Select a chat message first (↑/↓)", severity="warning")
        return None

    def act(self, what: str, job: Callable[[], Awaitable[Any]], done: str) -> None:
        """Run an action in a worker; report success or the error."""

        async def run() -> None:
            try:
                await job()
            except CtlError as exc:
                self.notify(f"{what} failed: {exc.format_message()}", severity="error")
            else:
                self.notify(done)

        self.run_worker(run(), group="actions", exit_on_error=False)

    def action_hide(self) -> None:
        line = self.selected()
        if line is None or line.message_id is None:
            return
        message_id, visible = line.message_id, not line.shown
        line.event["visible"] = visible
        line.event.pop("hiddenAt", None)
        line.redraw()
        self.act(
            "hiding",
            lambda: self.source.set_visibility([message_id], visible),
            "message shown" if visible else "message hidden",
        )

    def _author(self) -> dict[str, Any] | None:
        item = self.query_one("#chat", ListView).highlighted_child
        if isinstance(item, ChatLine) and item.is_notice:
            self.notify(
                "System messages have no user: select a chat message (↑/↓)", severity="warning"
            )
            return None
        line = self.selected()
        user = line.event.get("user") if line else None
        return user if isinstance(user, dict) and user.get("id") else None

    def action_ban(self) -> None:
        user = self._author()
        if user is None:
            return
        name = str(user.get("displayName"))

        def answer(yes: bool | None) -> None:
            if yes:
                self.act("ban", lambda: self.source.set_enabled(str(user["id"]), False),
                         f"{name} banned")  # fmt: skip

        question = f"Ban {name}? Hides their messages, disconnects them and bans their IP."
        self.push_screen(ConfirmScreen(question), answer)

    def action_moderator(self) -> None:
        user = self._author()
        if user is None:
            return
        user_id = str(user["id"])
        make = "MODERATOR" not in (user.get("scopes") or [])
        for line in self.lines.values():
            other = line.event.get("user")
            if isinstance(other, dict) and other.get("id") == user_id:
                scopes = [s for s in other.get("scopes") or [] if s != "MODERATOR"]
                other["scopes"] = [*scopes, "MODERATOR"] if make else scopes
                line.redraw()
        name = user.get("displayName")
        self.act(
            "moderator change",
            lambda: self.source.set_moderator(user_id, make),
            f"{name} is {'now' if make else 'no longer'} a moderator",
        )

    def action_user(self) -> None:
        user = self._author()
        if user is None:
            return
        messages = [
            line.event
            for line in self.lines.values()
            if isinstance(line.event.get("user"), dict)
            and line.event["user"].get("id") == user["id"]
        ]
        clients = [c for c in self.clients if (c.get("user") or {}).get("id") == user["id"]]
        self.push_screen(UserScreen(user, messages, clients))

    def action_system(self) -> None:
        def send(text: str | None) -> None:
            if text:
                self.act("sending", lambda: self.source.send_system(text), "system message sent")

        self.push_screen(PromptScreen("System message to chat (enter sends)"), send)

    def action_title(self) -> None:
        current = str(self.query_one(HeaderBar).status.get("streamTitle") or "")

        def save(text: str | None) -> None:
            if text is not None:
                self.act("title change", lambda: self.source.set_title(text), "title changed")

        self.push_screen(PromptScreen("Stream title (enter saves)", current), save)

    def action_disconnect(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self.act("disconnect", self.source.disconnect, "broadcaster disconnected")

        self.push_screen(ConfirmScreen("Disconnect the broadcaster now?"), answer)

    def action_escalate(self) -> None:
        escalate_selected(self)

    def action_schedule(self) -> None:
        async def show() -> None:
            try:
                schedule = await self.source.schedule()
            except CtlError as exc:
                self.notify(f"schedule failed: {exc.format_message()}", severity="error")
            else:
                self.push_screen(ScheduleScreen(schedule))

        self.run_worker(show(), group="actions", exit_on_error=False)

    def action_fediverse(self) -> None:
        open_requests(self)

    def action_replays(self) -> None:
        replays = show_replays(self.source.replays, self.push_screen, self.notify)
        self.run_worker(replays, group="actions", exit_on_error=False)


def run_dashboard(conn: Connection, store: CredentialStore) -> None:
    """Start the dashboard against a real daemon (the `tui` command)."""
    if conn.password is None:  # say so now, not in the header once the screen is up
        raise missing_password(conn)
    DashboardApp(HttpSource(conn, store)).run()

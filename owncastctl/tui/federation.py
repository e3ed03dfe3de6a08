"""The dashboard's fediverse panel and its `f` view.

The panel (polled like the others) shows the follower count, the follow requests waiting and
the latest follows, likes and boosts; it stays hidden while `/api/config` says federation is
off. `f` opens the follow requests: ↑/↓ select, `a` approves, `r` rejects (asks first; Owncast
blocks the actor, as `owncastctl followers reject`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ListItem, ListView, Static

from owncastctl import federation_view as view
from owncastctl.errors import CtlError
from owncastctl.output import clock
from owncastctl.tui.screens import DIALOG_CSS, ConfirmScreen

if TYPE_CHECKING:
    from owncastctl.tui.app import DashboardApp

OFF = "Federation is off: owncastctl config set federation.enabled true"
PANEL_LINES = 2  # activities in the side panel (it fits 80×24)


def panel_lines(snap: dict[str, Any]) -> list[str]:
    """Markup lines for the side panel (narrow: ~28 columns)."""
    pending = snap.get("pending") or []
    count = snap.get("followers", 0)
    head = f"[bold]{count}[/] follower{'' if count == 1 else 's'}"
    if pending:
        head += f" · [bold yellow]{len(pending)} waiting (f)[/]"
    lines = [head]
    for activity in (snap.get("actions") or [])[:PANEL_LINES]:
        who = view.short_actor(activity.get("actorIRI"), pending)
        at = clock(activity.get("timestamp"))
        lines.append(f"[dim]{at}[/] {view.kind(activity)} {escape(who)}")
    if len(lines) == 1:
        lines.append("[dim]no engagement yet[/]")
    return lines


class FederationPanel(Static):
    """Followers, follow requests and recent engagement; hidden while federation is off."""

    DEFAULT_CSS = "FederationPanel { height: auto; max-height: 5; border: round $secondary; }"

    def on_mount(self) -> None:
        self.border_title = "Fediverse"
        self.display = False

    def show(self, snap: dict[str, Any]) -> None:
        """A new :func:`owncastctl.federation_view.snapshot`."""
        self.display = bool(snap.get("enabled"))
        if self.display:
            self.update(Text.from_markup("\n".join(panel_lines(snap))))


class RequestItem(ListItem):
    """One follow request."""

    def __init__(self, follower: dict[str, Any]) -> None:
        self.follower = follower
        name = str(follower.get("name") or "")
        text = f"{escape(view.account(follower))}  [dim]{escape(name)}[/]"
        super().__init__(Label(Text.from_markup(text)))


class RequestsScreen(ModalScreen[None]):
    """Follow requests (approve/reject) and the latest engagement; escape, q or f closes it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RequestsScreen") + (
        "RequestsScreen ListView { height: auto; max-height: 10; }"
    )
    BINDINGS = [
        Binding("a", "decide(True)", "Approve"),
        Binding("r", "decide(False)", "Reject"),
        Binding("escape,q,f", "close", "Close"),
    ]

    def __init__(
        self, snap: dict[str, Any], decide: Callable[[str, bool], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.snap = snap
        self.decide = decide

    def compose(self) -> ComposeResult:
        pending = self.snap.get("pending") or []
        account = escape(str(self.snap.get("account") or ""))
        with Vertical():
            yield Label(Text.from_markup(f"[bold]Follow requests[/] ({len(pending)})  {account}"))
            yield ListView(*(RequestItem(f) for f in pending), id="requests")
            if not pending:
                yield Label("[dim]none waiting (requests wait here when federation is private)[/]")
            lines = [view.activity_line(a) for a in self.snap.get("actions") or []]
            yield Static(escape("\n".join(["Recent engagement:", *lines])), id="engagement")
            yield Label("[dim]a approve · r reject (blocks) · escape closes[/]")

    def on_mount(self) -> None:
        self.query_one(ListView).focus()

    def action_decide(self, approved: bool) -> None:
        item = self.query_one(ListView).highlighted_child
        if not isinstance(item, RequestItem):
            self.notify("No follow request selected", severity="warning")
            return
        who = view.account(item.follower)
        if approved:
            self.run_worker(self._send(item, True), group="actions", exit_on_error=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._send(item, False), group="actions", exit_on_error=False)

        self.app.push_screen(ConfirmScreen(f"Reject {who}? Owncast blocks them."), answer)

    async def _send(self, item: RequestItem, approved: bool) -> None:
        who = view.account(item.follower)
        try:
            await self.decide(str(item.follower.get("link")), approved)
        except CtlError as exc:
            self.notify(f"{who}: {exc.format_message()}", severity="error")
            return
        await item.remove()
        self.notify(f"{who} {'approved' if approved else 'rejected'}")

    def action_close(self) -> None:
        self.dismiss(None)


def open_requests(app: DashboardApp) -> None:
    """`f`: fetch a fresh snapshot and show the requests (or say federation is off)."""

    async def show() -> None:
        try:
            snap = await app.source.federation()
        except CtlError as exc:
            app.notify(f"fediverse failed: {exc.format_message()}", severity="error")
            return
        app.query_one(FederationPanel).show(snap)
        if not snap.get("enabled"):
            app.notify(OFF, severity="warning")
            return
        app.push_screen(RequestsScreen(snap, app.source.approve_follower))

    app.run_worker(show(), group="actions", exit_on_error=False)

"""The dashboard's Fediverse view (`f`): followers, follow requests waiting for approval and
the latest follows, likes and boosts (issue 11)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from owncastctl.errors import CtlError
from owncastctl.followers_view import action_line, rows
from owncastctl.tui.screens import DIALOG_CSS

SHOWN = 8


def _section(title: str, items: list[str], total: int, empty: str) -> list[str]:
    lines = [f"[bold]{title}[/] ({total})"]
    lines += [escape(item) for item in items[:SHOWN]]
    if total > SHOWN:
        lines.append(f"[dim]… {total - SHOWN} more: owncastctl followers list[/]")
    if not items:
        lines.append(f"[dim]{escape(empty)}[/]")
    return lines


class FollowersScreen(ModalScreen[None]):
    """Followers, pending requests and recent engagement; escape, q or f closes it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FollowersScreen")
    BINDINGS = [Binding("escape,q,f", "close", "Close")]

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self.payload = payload

    def compose(self) -> ComposeResult:
        followers = self.payload.get("followers")
        total = followers.get("total", 0) if isinstance(followers, dict) else 0
        accounts = [f"{f.get('username', '')}  {f.get('name', '')}" for f in rows(followers)]
        pending = [str(f.get("username", "")) for f in rows(self.payload.get("pending"))]
        actions = [action_line(a) for a in rows(self.payload.get("actions"))]
        lines = _section("Followers", accounts, int(total or 0), "no followers yet")
        lines += _section(
            "Waiting for approval",
            pending,
            len(pending),
            "none (owncastctl followers approve ACTOR accepts one)",
        )
        lines += _section("Latest engagement", actions, len(actions), "no follows, likes or boosts")
        with Vertical():
            yield Static(Text.from_markup("\n".join(lines)), id="followers-list")
            yield Label("[dim]escape closes[/]")

    def action_close(self) -> None:
        self.dismiss(None)


async def show_followers(
    fetch: Callable[[], Awaitable[dict[str, Any]]],
    push: Callable[[FollowersScreen], object],
    notify: Callable[..., None],
) -> None:
    """Fetch the followers view and push its screen (a failure is a notification)."""
    try:
        payload = await fetch()
    except CtlError as exc:
        notify(f"followers failed: {exc.format_message()}", severity="error")
    else:
        push(FollowersScreen(payload))

"""The dashboard's replay view (`r`): recorded broadcasts, newest first, and why recording
stopped if it did (disk nearly full)."""

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
from owncastctl.replays_view import listed, summary_line
from owncastctl.tui.screens import DIALOG_CSS

SHOWN = 12


class ReplaysScreen(ModalScreen[None]):
    """Replays (from `GET /api/admin/replays`); escape, q or r closes it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ReplaysScreen")
    BINDINGS = [Binding("escape,q,r", "close", "Close")]

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self.replays = listed(payload)
        self.problem = payload.get("problem")

    def compose(self) -> ComposeResult:
        lines = [f"[bold]Replays[/] ({len(self.replays)})"]
        if self.problem:
            lines.append(f"[bold yellow]{escape(str(self.problem))}[/]")
        lines += [escape(summary_line(replay)) for replay in self.replays[:SHOWN]]
        if len(self.replays) > SHOWN:
            lines.append(f"[dim]… {len(self.replays) - SHOWN} more: owncastctl replays list[/]")
        if not self.replays:
            hint = escape("no replays yet: broadcasts are recorded as [replays] mode says")
            lines.append(f"[dim]{hint}[/]")
        with Vertical():
            yield Static(Text.from_markup("\n".join(lines)), id="replays-list")
            yield Label("[dim]escape closes[/]")

    def action_close(self) -> None:
        self.dismiss(None)


async def show_replays(
    fetch: Callable[[], Awaitable[dict[str, Any]]],
    push: Callable[[ReplaysScreen], object],
    notify: Callable[..., None],
) -> None:
    """Fetch the replays and push their screen (a failure is a notification)."""
    try:
        payload = await fetch()
    except CtlError as exc:
        notify(f"replays failed: {exc.format_message()}", severity="error")
    else:
        push(ReplaysScreen(payload))

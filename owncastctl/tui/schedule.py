"""The dashboard's schedule view (`e`): upcoming scheduled streams, soonest first."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from owncastctl.schedule_view import summary_line, upcoming
from owncastctl.tui.screens import DIALOG_CSS

SHOWN = 12


class ScheduleScreen(ModalScreen[None]):
    """Upcoming events (from `GET /api/admin/schedule`); escape, q or e closes it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ScheduleScreen")
    BINDINGS = [Binding("escape,q,e", "close", "Close")]

    def __init__(self, schedule: dict[str, Any]) -> None:
        super().__init__()
        self.events = upcoming(schedule.get("events"))
        self.series = [s for s in schedule.get("series") or [] if isinstance(s, dict)]

    def compose(self) -> ComposeResult:
        lines = [f"[bold]Upcoming streams[/] ({len(self.events)})"]
        lines += [escape(summary_line(event)) for event in self.events[:SHOWN]]
        if len(self.events) > SHOWN:
            lines.append(f"[dim]… {len(self.events) - SHOWN} more: owncastctl schedule list[/]")
        if not self.events:
            lines.append("[dim]nothing scheduled: owncastctl schedule add[/]")
        active = sum(1 for s in self.series if s.get("active"))
        if self.series:
            lines.append(f"[dim]{len(self.series)} series, {active} active[/]")
        with Vertical():
            yield Static(Text.from_markup("\n".join(lines)), id="schedule-list")
            yield Label("[dim]escape closes[/]")

    def action_close(self) -> None:
        self.dismiss(None)

"""The dashboard's `x` key: send the selected chat message to the team (Chatwoot bridge),
with a note typed in a prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from owncastctl.tui.screens import PromptScreen

if TYPE_CHECKING:
    from owncastctl.tui.app import DashboardApp


def escalate_selected(app: DashboardApp) -> None:
    """Ask for a note, then escalate the highlighted message (escape cancels)."""
    line = app.selected()
    if line is None or line.message_id is None:
        return
    message_id = line.message_id

    def send(note: str | None) -> None:
        if note:
            app.act(
                "escalation",
                lambda: app.source.escalate(message_id, note),
                "sent to the team",
            )

    app.push_screen(PromptScreen("Note for the team (enter sends, escape cancels)"), send)

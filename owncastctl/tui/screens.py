"""Modal screens: confirm an action, type a line, see a user's details."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from owncastctl.chatws import format_event
from owncastctl.output import when

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; max-width: 95%; height: auto; padding: 1 2;
    border: thick $accent; background: $surface;
}}
{name} Label {{ width: 100%; }}
{name} Horizontal {{ height: auto; margin-top: 1; }}
{name} Button {{ margin-right: 2; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no for a destructive action: y/enter confirms, n/escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptScreen(ModalScreen[str | None]):
    """One line of text: enter submits, escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PromptScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(value=self.value, placeholder=self.placeholder, id="line")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class UserScreen(ModalScreen[None]):
    """A chat user's details, connections and recent messages; any of escape/q/u closes it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="UserScreen")
    BINDINGS = [Binding("escape,q,u", "close", "Close")]

    def __init__(
        self,
        user: dict[str, Any],
        messages: list[dict[str, Any]],
        clients: list[dict[str, Any]],
    ) -> None:
        super().__init__()
        self.user = user
        self.messages = messages
        self.clients = clients

    def compose(self) -> ComposeResult:
        u = self.user
        flags = [
            name
            for name, on in (
                ("moderator", "MODERATOR" in (u.get("scopes") or [])),
                ("bot", u.get("isBot")),
                ("authenticated", u.get("authenticated")),
                ("banned", u.get("disabledAt")),
            )
            if on
        ]
        lines = [
            f"[bold]{escape(str(u.get('displayName', '?')))}[/]  "
            f"[dim]id {escape(str(u.get('id')))}[/]",
            f"joined {when(u.get('createdAt'))}  {', '.join(flags) or 'regular user'}",
        ]
        previous = u.get("previousNames") or []
        if isinstance(previous, str):
            previous = previous.split(",")
        if len(previous) > 1:
            lines.append(f"previously: {escape(', '.join(map(str, previous)))}")
        for client in self.clients:
            agent = escape(str(client.get("userAgent", ""))[:40])
            lines.append(
                f"connected since {when(client.get('connectedAt'))}: "
                f"{client.get('messageCount', 0)} msg, {agent}"
            )
        lines.append("")
        lines.append(f"[bold]Recent messages[/] ({len(self.messages)})")
        lines.extend(format_event(m) or "" for m in self.messages[-8:])
        with Vertical():
            yield Static(Text.from_markup("\n".join(lines)))
            yield Label("[dim]escape closes[/]")

    def action_close(self) -> None:
        self.dismiss(None)

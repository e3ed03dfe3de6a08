"""The dashboard's panels: header, hardware, audience, warnings, and one chat line."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.widgets import ListItem, Static

from owncastctl.chatws import format_event
from owncastctl.output import clock, duration, kbps, parse_time, plain_text, series, sparkline

SPARK_WIDTH = 18
NOTICE_TYPES = ("SYSTEM", "CHAT_ACTION")


class HeaderBar(Static):
    """Two lines: live state, title and uptime; viewers, bitrate/fps and the link state."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.url = url
        self.status: dict[str, Any] = {}
        self.viewer_counts: deque[int] = deque(maxlen=60)
        self.daemon_problem: str | None = "connecting…"
        self.chat_problem: str | None = "connecting…"

    def show_status(self, status: dict[str, Any]) -> None:
        """A new `/api/admin/status`."""
        self.status = status
        self.viewer_counts.append(int(status.get("viewerCount") or 0))
        self.refresh_text()

    def set_daemon(self, problem: str | None) -> None:
        """None when the HTTP API answers, else why not."""
        self.daemon_problem = problem
        self.refresh_text()

    def set_chat(self, problem: str | None) -> None:
        """None when the chat websocket is connected, else why not."""
        self.chat_problem = problem
        self.refresh_text()

    def refresh_text(self) -> None:
        """Re-render both lines."""
        s = self.status
        if self.daemon_problem:
            line1 = f"[bold red]✖ {escape(self.daemon_problem)}[/] [dim]{escape(self.url)}[/]"
            self.update(Text.from_markup(f"{line1}\n{self._line2()}"))
            return
        state = "[bold black on green] LIVE [/]" if s.get("online") else "[bold] OFFLINE [/]"
        title = escape(str(s.get("streamTitle") or "(no title)"))
        uptime = ""
        broadcaster = s.get("broadcaster") if isinstance(s.get("broadcaster"), dict) else None
        started = parse_time(broadcaster.get("time")) if broadcaster else None
        if s.get("online") and started:
            uptime = f"  up {duration((datetime.now(UTC) - started).total_seconds())}"
        line1 = f"{state} {title}[dim]{uptime}[/]"
        self.update(Text.from_markup(f"{line1}\n{self._line2()}"))

    def _line2(self) -> str:
        s = self.status
        broadcaster = s.get("broadcaster") if isinstance(s.get("broadcaster"), dict) else None
        counts = list(self.viewer_counts)
        viewers = (
            f"👁 {s.get('viewerCount', 0)} (peak {s.get('sessionPeakViewerCount', 0)}) "
            f"[cyan]{sparkline(counts, 16)}[/]"
        )
        stream = ""
        if broadcaster:
            d = broadcaster.get("streamDetails") or {}
            stream = f"  in {kbps(d.get('videoBitrate'))} {d.get('framerate', '?')} fps"
        chat = (
            "[green]chat ●[/]"
            if not self.chat_problem
            else f"[yellow]chat: {escape(self.chat_problem)}[/]"
        )
        return f"{viewers}{stream}  {chat}"


class HardwarePanel(Static):
    """CPU, RAM and disk: the latest value and a sparkline each."""

    def show(self, stats: dict[str, Any]) -> None:
        """A new `/api/admin/hardwarestats`."""
        lines = []
        for name, label in (("cpu", "CPU "), ("memory", "RAM "), ("disk", "Disk")):
            values = series(stats.get(name))
            if values:
                line = (
                    f"{label} {values[-1]:3.0f}% [cyan]{sparkline(values, SPARK_WIDTH, top=100)}[/]"
                )
            else:
                line = f"{label}   – [dim]no samples yet[/]"
            lines.append(line)
        self.update(Text.from_markup("\n".join(lines)))


class AudiencePanel(Static):
    """Viewers and chat clients."""

    def show(self, viewers: list[dict[str, Any]], clients: list[dict[str, Any]]) -> None:
        """New `/api/admin/viewers` and `/api/admin/chat/clients`."""
        lines = [f"[bold]{len(viewers)}[/] watching · [bold]{len(clients)}[/] in chat"]
        for client in clients[:20]:
            found = client.get("user")
            user = found if isinstance(found, dict) else {}
            name = escape(str(user.get("displayName", "?")))
            lines.append(f" {name} [dim]{client.get('messageCount', 0)} msg[/]")
        for viewer in viewers[:10]:
            agent = escape(str(viewer.get("userAgent", ""))[:18])
            lines.append(f" [dim]{escape(str(viewer.get('ipAddress', '')))} {agent}[/]")
        self.update(Text.from_markup("\n".join(lines)))


class WarningsPanel(Static):
    """The newest warnings and errors from the daemon's log buffer."""

    def show(self, entries: list[dict[str, Any]]) -> None:
        """A new `/api/admin/logs/warnings`."""
        if not entries:
            self.update(Text.from_markup("[dim]no warnings[/]"))
            return
        lines = []
        for entry in entries[-12:]:
            level = str(entry.get("level", "")).lower()
            style = "red" if level in ("error", "fatal") else "yellow"
            lines.append(
                f"[dim]{clock(entry.get('time'))[:5]}[/] [{style}]"
                f"{escape(str(entry.get('message', '')))}[/]"
            )
        self.update(Text.from_markup("\n".join(lines)))


class ChatLine(ListItem):
    """One chat event in the list; CHAT lines can be selected and moderated."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.event = event
        super().__init__(Static(self._text()))

    @property
    def message_id(self) -> str | None:
        """The message id of a CHAT event."""
        value = self.event.get("id")
        return str(value) if value and self.event.get("type", "CHAT") == "CHAT" else None

    @property
    def is_notice(self) -> bool:
        """True for a SYSTEM or CHAT_ACTION line: a server notice, written by no user."""
        return self.event.get("type") in NOTICE_TYPES

    @property
    def shown(self) -> bool:
        """False once the message is hidden."""
        return self.event.get("visible") is not False and not self.event.get("hiddenAt")

    def _text(self) -> Text:
        line = format_event(self.event) or escape(plain_text(str(self.event.get("body", ""))))
        return Text.from_markup(line)

    def redraw(self) -> None:
        """Show a change (visibility, moderator badge)."""
        self.query_one(Static).update(self._text())

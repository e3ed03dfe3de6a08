"""How owncastctl shows scheduled events (the `schedule` commands and the TUI's view)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from owncastctl.output import parse_time


def upcoming(events: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """The events not over yet, by start (cancelled ones included: they say so)."""
    now = now or datetime.now(UTC)
    found = []
    for event in events if isinstance(events, list) else []:
        start = parse_time(event.get("startTime")) if isinstance(event, dict) else None
        if start is None:
            continue
        if start + timedelta(minutes=int(event.get("durationMinutes") or 0)) > now:
            found.append(event)
    return sorted(found, key=lambda e: parse_time(e["startTime"]) or now)


def local_start(event: dict[str, Any]) -> str:
    """`2026-03-02 18:00 Europe/Paris`: the start in the event's own zone."""
    start = parse_time(event.get("startTime"))
    zone = str(event.get("timezone") or "UTC")
    if start is None:
        return str(event.get("startTime", ""))
    try:
        from zoneinfo import ZoneInfo

        start = start.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError, OSError):
        zone = "UTC"
        start = start.astimezone(UTC)
    return f"{start:%Y-%m-%d %H:%M} {zone}"


def summary_line(event: dict[str, Any]) -> str:
    """One line per event: start, duration, name, and the status when cancelled."""
    line = f"{local_start(event)}  {event.get('durationMinutes', '?')} min  {event.get('name', '')}"
    if event.get("status") == "cancelled":
        line += "  (cancelled)"
    return line

"""The schedule as an iCalendar file (`/api/schedule.ics`, develop §5.2).

CRLF line ends, lines folded at 75 octets (a continuation starts with a space and carries 74),
text escaped (`\\`, newline, `;`, `,`); UTC times only: no VTIMEZONE, URL or LOCATION.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from owncastd.core.schedule.models import CANCELLED, ScheduledEvent

LINE_OCTETS = 75
HEADER = (
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Owncast//Schedule//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
)


def ics_time(value: datetime) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    value = value.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n").replace(";", "\\;").replace(",", "\\,")


def fold(line: str) -> str:
    """Fold one content line at 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _event_lines(event: ScheduledEvent, now: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.id}@owncast",
        f"DTSTAMP:{ics_time(now)}",
        f"DTSTART:{ics_time(event.start)}",
        f"DTEND:{ics_time(event.end)}",
        f"SUMMARY:{escape_text(event.name)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    status = "CANCELLED" if event.status == CANCELLED else "CONFIRMED"
    return [*lines, f"STATUS:{status}", "END:VEVENT"]


def calendar(events: Iterable[ScheduledEvent], now: datetime) -> str:
    """The VCALENDAR text of `events` (empty of events when there are none)."""
    lines = list(HEADER)
    for event in events:
        lines += _event_lines(event, now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

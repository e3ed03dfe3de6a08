"""The admin's schedule requests, checked (develop §5.2 "Upsert validation").

:func:`event_request` turns the JSON body of `POST /api/admin/schedule/event` into an
:class:`EventRequest`, or raises :class:`ScheduleError` with Owncast's message. Rules that need
the stored event (create vs update, series vs one-off) are in the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from owncastd.core.schedule.models import ScheduleError

MAX_DURATION_MINUTES = 10080
DEFAULT_DURATION_MINUTES = 60
MAX_NAME = 255
MAX_DESCRIPTION = 10_000


@dataclass(frozen=True)
class EventRequest:
    """A checked upsert body; None means "not given"."""

    id: str | None
    name: str
    description: str | None
    start: datetime | None
    timezone: str | None
    duration_minutes: int | None
    recurrence: str | None
    reminder_message: str | None


def parse_time(value: Any, what: str) -> datetime:
    """An RFC 3339 time with an offset (`2026-05-01T18:00:00Z`)."""
    if isinstance(value, str) and "T" in value.upper():
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and _in_range(parsed):
            return parsed
    raise ScheduleError(f"{what} must be an RFC 3339 time")


def _in_range(value: datetime) -> bool:
    """Far enough from year 1 and 9999 that a year of arithmetic on it never overflows."""
    try:
        utc = value.astimezone(UTC)
        return bool(utc - timedelta(days=400) and utc + timedelta(days=400))
    except OverflowError:
        return False


def _text(body: dict[str, Any], key: str, max_len: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScheduleError(f"{key} must be a string")
    if len(value) > max_len:
        raise ScheduleError(f"{key} must be at most {max_len} characters")
    return value


def _duration(value: Any) -> int | None:
    if value is None:
        return None
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    if not whole or value != int(value) or not 1 <= int(value) <= MAX_DURATION_MINUTES:
        raise ScheduleError(f"durationMinutes must be between 1 and {MAX_DURATION_MINUTES}")
    return int(value)


def event_request(body: dict[str, Any]) -> EventRequest:
    """Check the body's fields one by one."""
    name = (_text(body, "name", MAX_NAME) or "").strip()
    if not name:
        raise ScheduleError("name is required")
    start_text = body.get("start")
    recurrence = _text(body, "recurrence", 4096)
    if start_text not in (None, "") and recurrence:
        raise ScheduleError("start and recurrence are mutually exclusive")
    return EventRequest(
        id=_text(body, "id", 64) or None,
        name=name,
        description=_text(body, "description", MAX_DESCRIPTION),
        start=None if start_text in (None, "") else parse_time(start_text, "start"),
        timezone=_text(body, "timezone", 64) or None,
        duration_minutes=_duration(body.get("durationMinutes")),
        recurrence=recurrence or None,
        reminder_message=_text(body, "reminderMessage", 500),
    )

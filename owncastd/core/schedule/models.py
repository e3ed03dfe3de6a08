"""The schedule's data: Owncast's `ScheduledEvent` and `ScheduledEventSeries` (develop §5.2).

Times are aware UTC datetimes; an event's `timezone` is the IANA zone it was planned in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from owncastd.errors import OwncastdError

Status = Literal["scheduled", "cancelled"]
SCHEDULED: Status = "scheduled"
CANCELLED: Status = "cancelled"


class ScheduleError(OwncastdError):
    """A schedule change or query was refused; the message is Owncast's (400 `{"error": …}`)."""


def utc_text(value: datetime) -> str:
    """RFC 3339 in UTC without fractions, as Go writes a whole-second time (`…T18:00:00Z`)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ScheduledEvent:
    """One event: a one-off, or an occurrence of a series (`series_id`; `slot` is the start the
    series gave it, kept when the occurrence is moved or cancelled so it is never recreated)."""

    id: str
    name: str
    description: str
    start: datetime
    duration_minutes: int
    timezone: str
    status: Status = SCHEDULED
    series_id: str | None = None
    reminder_message: str = ""
    slot: datetime | None = None
    federated: bool = False
    warned: bool = False

    @property
    def end(self) -> datetime:
        """When the event is over."""
        return self.start + timedelta(minutes=self.duration_minutes)

    def to_json(self) -> dict[str, object]:
        """Owncast's `ScheduledEvent` JSON."""
        payload: dict[str, object] = {"id": self.id}
        if self.series_id:
            payload["seriesId"] = self.series_id
        payload |= {"name": self.name, "description": self.description}
        if self.reminder_message:
            payload["reminderMessage"] = self.reminder_message
        return payload | {
            "startTime": utc_text(self.start),
            "durationMinutes": self.duration_minutes,
            "timezone": self.timezone,
            "status": self.status,
        }


@dataclass(frozen=True)
class ScheduledSeries:
    """A recurring event: `recurrence` is the RFC 5545 `DTSTART;TZID=…` + `RRULE:…` pair."""

    id: str
    name: str
    description: str
    recurrence: str
    duration_minutes: int
    active: bool = True
    reminder_message: str = ""

    def to_json(self) -> dict[str, object]:
        """Owncast's `ScheduledEventSeries` JSON."""
        payload: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
        }
        if self.reminder_message:
            payload["reminderMessage"] = self.reminder_message
        return payload | {
            "recurrence": self.recurrence,
            "durationMinutes": self.duration_minutes,
            "active": self.active,
        }

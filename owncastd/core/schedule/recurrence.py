"""RFC 5545 recurrences: `DTSTART;TZID=<IANA>:YYYYMMDDTHHMMSS` plus `RRULE:…` (develop §5.2).

Occurrences follow the wall clock of the zone (a 18:00 Europe/Paris series stays at 18:00 across
daylight-saving changes) and are returned in UTC. Expansion stops after 500 000 candidate
occurrences or 1000 kept ones, as Owncast caps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from owncastd.core.schedule.models import ScheduleError

MAX_ITERATIONS = 500_000
MAX_OCCURRENCES = 1000
DTSTART = re.compile(r"^DTSTART;TZID=(?P<tz>[^:;\s]+):(?P<local>\d{8}T\d{6})$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or ScheduleError("unknown timezone")."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        raise ScheduleError("unknown timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError("unknown timezone") from None


@dataclass(frozen=True)
class Recurrence:
    """A parsed recurrence: its zone name and the rule (aware, in that zone)."""

    timezone: str
    rule: rrule

    def between(self, start: datetime, end: datetime) -> list[datetime]:
        """The occurrences in `[start, end)`, in UTC, within the caps."""
        found: list[datetime] = []
        for iterations, local in enumerate(self.rule, start=1):
            when = local.astimezone(UTC)
            if when >= end or iterations > MAX_ITERATIONS:
                break
            if when >= start:
                found.append(when)
                if len(found) >= MAX_OCCURRENCES:
                    break
        return found


def parse_recurrence(text: str) -> Recurrence:
    """Parse the DTSTART/RRULE pair, or ScheduleError saying what is wrong."""
    if not isinstance(text, str):
        raise ScheduleError("recurrence must be a string")
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    starts = [line for line in lines if line.upper().startswith("DTSTART")]
    rules = [line for line in lines if line.upper().startswith("RRULE:")]
    if len(starts) != 1 or len(rules) != 1 or len(lines) != 2:
        raise ScheduleError("recurrence must contain a DTSTART;TZID= line and an RRULE: line")
    match = DTSTART.match(starts[0])
    if match is None:
        raise ScheduleError("recurrence DTSTART must be DTSTART;TZID=<zone>:YYYYMMDDTHHMMSS")
    tz = zone(match["tz"])
    try:
        local = datetime.strptime(match["local"], "%Y%m%dT%H%M%S").replace(tzinfo=tz)
        rule = rrulestr(rules[0], dtstart=local)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScheduleError(f"invalid recurrence: {exc}") from None
    if not isinstance(rule, rrule):
        raise ScheduleError("invalid recurrence: one RRULE is expected")
    return Recurrence(match["tz"], rule)

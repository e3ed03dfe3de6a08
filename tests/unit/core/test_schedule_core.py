"""Scheduled events' pure parts: ICS folding and escaping, recurrence parsing and its caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from owncastd.core.schedule.edits import parse_time
from owncastd.core.schedule.ics import escape_text, fold
from owncastd.core.schedule.models import ScheduleError
from owncastd.core.schedule.recurrence import MAX_OCCURRENCES, parse_recurrence

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_fold_splits_at_75_octets_then_74_and_never_inside_a_character():
    line = "DESCRIPTION:" + "a" * 63 + "é" + "b" * 100
    folded = fold(line).split("\r\n")
    assert [len(part.encode()) for part in folded] == [75, 75, 29]
    assert folded[0].endswith("a") and folded[1] == " é" + "b" * 72
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_escape_text():
    assert escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_recurrence_needs_both_lines_and_a_known_zone():
    for text in (
        "RRULE:FREQ=DAILY",
        "DTSTART;TZID=UTC:20260302T180000",
        "DTSTART:20260302T180000Z\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=UTC:20260302T180000\nRRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY",
        "DTSTART;TZID=UTC:2026030\nRRULE:FREQ=DAILY",
    ):
        with pytest.raises(ScheduleError):
            parse_recurrence(text)
    with pytest.raises(ScheduleError, match="unknown timezone"):
        parse_recurrence("DTSTART;TZID=../../etc/passwd:20260302T180000\nRRULE:FREQ=DAILY")


def test_expansion_is_capped_at_1000_occurrences():
    rule = parse_recurrence("DTSTART;TZID=UTC:20260301T000000\nRRULE:FREQ=MINUTELY")
    found = rule.between(NOW, NOW + timedelta(days=30))
    assert len(found) == MAX_OCCURRENCES
    assert found[0] == NOW


def test_expansion_gives_up_after_500000_candidates():
    # Every minute since 2025: the window in March 2026 lies past the iteration cap.
    rule = parse_recurrence("DTSTART;TZID=UTC:20250101T000000\nRRULE:FREQ=MINUTELY")
    assert rule.between(NOW, NOW + timedelta(days=1)) == []
    early = datetime(2025, 1, 2, tzinfo=UTC)
    assert len(rule.between(early, early + timedelta(hours=1))) == 60


def test_wall_clock_follows_the_zone_across_dst():
    rule = parse_recurrence(
        "DTSTART;TZID=America/New_York:20260306T090000\nRRULE:FREQ=DAILY;COUNT=3"
    )
    found = rule.between(NOW, NOW + timedelta(days=10))
    assert [t.hour for t in found] == [14, 14, 13]  # 9:00 EST, EST, then EDT (8 March)


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:00:00Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "12:00"],
)
def test_times_at_the_edge_of_the_calendar_are_refused(text):
    with pytest.raises(ScheduleError, match="must be an RFC 3339 time"):
        parse_time(text, "start")

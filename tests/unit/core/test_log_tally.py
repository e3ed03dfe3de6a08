"""One log line per burst: the first event at once, then at most one per interval, counted."""

from __future__ import annotations

from owncastd.core.log_tally import LogTally


def test_a_burst_is_one_line_with_its_count() -> None:
    tally = LogTally(10)
    assert tally.note(0.0) == 1  # the first event is reported at once
    assert [tally.note(t) for t in (1.0, 2.0, 9.9)] == [0, 0, 0]
    assert tally.note(10.0) == 4  # the three held back and this one
    assert tally.note(25.0) == 1

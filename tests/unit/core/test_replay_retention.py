"""Retention of replays (age, then total size, oldest first) and which variants are recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from owncastd.core.replays.models import Replay
from owncastd.core.replays.retention import expired, recorded_variants

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def replay(name: str, days_ago: float, size: int, *, recording: bool = False) -> Replay:
    started = NOW - timedelta(days=days_ago)
    return Replay(
        id=name,
        title=name,
        started_at=started,
        ended_at=None if recording else started + timedelta(hours=1),
        size_bytes=size,
    )


LIBRARY = [
    replay("newest", 1, 300),
    replay("oldest", 40, 100),
    replay("middle", 10, 200),
    replay("older", 20, 100),
]


def ids(replays: list[Replay]) -> list[str]:
    return [r.id for r in replays]


def test_no_limits_keep_everything():
    assert expired(LIBRARY, NOW, max_age_days=0, max_total_bytes=0) == []


def test_age_limit_deletes_what_is_older_oldest_first():
    assert ids(expired(LIBRARY, NOW, max_age_days=15, max_total_bytes=0)) == ["oldest", "older"]


def test_size_limit_deletes_the_oldest_until_the_rest_fit():
    assert ids(expired(LIBRARY, NOW, max_age_days=0, max_total_bytes=500)) == ["oldest", "older"]
    assert ids(expired(LIBRARY, NOW, max_age_days=0, max_total_bytes=700)) == []
    assert ids(expired(LIBRARY, NOW, max_age_days=0, max_total_bytes=1)) == [
        "oldest",
        "older",
        "middle",
        "newest",
    ]


def test_both_limits_together_and_the_recording_is_never_chosen():
    live = replay("live", 100, 1000, recording=True)
    chosen = expired([*LIBRARY, live], NOW, max_age_days=30, max_total_bytes=1300)
    # "oldest" is too old; the recording counts towards the total but is kept.
    assert ids(chosen) == ["oldest", "older", "middle"]


def test_recorded_variants():
    rates = [(False, 600), (False, 3000), (False, 1200)]
    assert recorded_variants("off", rates) == ()
    assert recorded_variants("source", rates) == (1,)
    assert recorded_variants("all", rates) == (0, 1, 2)
    assert recorded_variants("source", [(False, 6000), (True, 0)]) == (1,)  # passthrough
    assert recorded_variants("source", []) == ()

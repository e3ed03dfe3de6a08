"""What survives restarts of the stream's state: its stats, and how they are saved and loaded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

OFFLINE_DELAY_SECONDS = 300.0


@dataclass(frozen=True)
class StreamStats:
    """What survives restarts: connect/disconnect times and viewer peaks."""

    last_connect_time: datetime | None = None
    last_disconnect_time: datetime | None = None
    session_peak_viewers: int = 0
    overall_peak_viewers: int = 0


class StatsSink(Protocol):
    """Persists stats; must not block (queue the write)."""

    def save_stats(self, stats: StreamStats) -> None: ...


def restore_stats(stats: StreamStats, now: datetime) -> StreamStats:
    """Stats as loaded at startup: a session peak saved over 5 minutes ago is reset."""
    last = stats.last_disconnect_time
    if last is not None and now - last > timedelta(seconds=OFFLINE_DELAY_SECONDS):
        return replace(stats, session_peak_viewers=0)
    return stats

"""Logging a burst of the same event as one line now and then, with how many there were."""

from __future__ import annotations

import math


class LogTally:
    """Counts events; :meth:`note` says when one line is due (at most once per `interval`
    seconds) and how many events it covers. Times are passed in: nothing reads a clock."""

    __slots__ = ("_count", "_interval", "_next")

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._count = 0
        self._next = -math.inf

    def note(self, now: float) -> int:
        """Count one event; the number to report if a line is due at `now`, else 0."""
        self._count += 1
        if now < self._next:
            return 0
        self._next = now + self._interval
        count, self._count = self._count, 0
        return count

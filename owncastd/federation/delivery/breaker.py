"""A per-host circuit breaker (Owncast develop §1.5): after consecutive failures a host is left
alone for 1, 5, 15, 30 and then 60 minutes; one success closes it again."""

from __future__ import annotations

from collections.abc import Sequence

BACKOFF_SECONDS = (60.0, 300.0, 900.0, 1800.0, 3600.0)


class HostBreaker:
    """Consecutive failures per host, and until when each failing host is skipped."""

    def __init__(self, backoff: Sequence[float] = BACKOFF_SECONDS) -> None:
        if not backoff:
            raise ValueError("the breaker needs at least one backoff step")
        self._backoff = tuple(backoff)
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}

    def open_until(self, host: str, now: float) -> float | None:
        """When `host` may be tried again, or None if it may be tried now."""
        until = self._open_until.get(host)
        return until if until is not None and until > now else None

    def failure(self, host: str, now: float) -> float:
        """Count a failure of `host`; the time until which it is skipped."""
        count = self._failures.get(host, 0) + 1
        self._failures[host] = count
        until = now + self._backoff[min(count, len(self._backoff)) - 1]
        self._open_until[host] = until
        return until

    def success(self, host: str) -> None:
        """`host` answered: close its breaker."""
        self._failures.pop(host, None)
        self._open_until.pop(host, None)

"""A token bucket like Go's `rate.Limiter` (reference §2.5: ~1.5 events/s, burst 1)."""

from __future__ import annotations

RATE_PER_SECOND = 1.5
BURST = 1.0


class TokenBucket:
    """Allows `burst` events at once and refills at `rate` per second; time is passed in."""

    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._last: float | None = None

    def allow(self, now: float) -> bool:
        """Take one token at monotonic time `now` if there is one."""
        if self._last is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

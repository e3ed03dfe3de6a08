"""A bounded table of pending requests that expire (login codes, IndieAuth states)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Pending(Generic[K, V]):
    """At most `cap` entries, each forgotten `ttl` seconds after it was put (`now` is a
    monotonic clock in seconds). Expired entries are pruned on every write and count check."""

    def __init__(self, cap: int, ttl: float, now: Callable[[], float]) -> None:
        self.cap, self.ttl, self._now = cap, ttl, now
        self._entries: dict[K, tuple[float, V]] = {}

    def prune(self) -> None:
        """Drop every expired entry."""
        now = self._now()
        stale = [k for k, (at, _) in self._entries.items() if now - at > self.ttl]
        for key in stale:
            del self._entries[key]

    def full(self) -> bool:
        """True when no new key can be put."""
        self.prune()
        return len(self._entries) >= self.cap

    def __len__(self) -> int:
        self.prune()
        return len(self._entries)

    def put(self, key: K, value: V) -> bool:
        """Keep `value` under `key` (replacing an entry and restarting its time); False when
        the table is full."""
        self.prune()
        if key not in self._entries and len(self._entries) >= self.cap:
            return False
        self._entries[key] = (self._now(), value)
        return True

    def get(self, key: K) -> V | None:
        """The live entry under `key`, or None."""
        found = self._entries.get(key)
        if found is None or self._now() - found[0] > self.ttl:
            return None
        return found[1]

    def pop(self, key: K) -> V | None:
        """Remove and return the live entry under `key` (None when missing or expired)."""
        value = self.get(key)
        self._entries.pop(key, None)
        return value

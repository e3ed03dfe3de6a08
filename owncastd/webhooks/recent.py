"""The last few delivery attempts of each webhook, in memory (the admin's "recent deliveries").

Nothing about deliveries is stored on disk (only a webhook's `lastUsed`), so the sender notes
every attempt here: when, which event, the receiver's status or why it failed, how long it took,
and whether it was a test. Each webhook keeps its last `per_hook` attempts; the ring forgets a
webhook when it is deleted and everything on restart. Never the URL, the secret or the
signature: an attempt is only what the admin may see.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owncastd.core.chat.models import rfc3339

PER_HOOK = 20


@dataclass(frozen=True)
class Attempt:
    """One POST to one webhook."""

    webhook_id: int
    at: datetime
    event_type: str
    status: int | None
    error: str
    seconds: float
    test: bool

    def to_json(self) -> dict[str, Any]:
        """`{webhookId, timestamp, eventType, status, error, durationMs, ok, test}`."""
        return {
            "webhookId": self.webhook_id,
            "timestamp": rfc3339(self.at),
            "eventType": self.event_type,
            "status": self.status,
            "error": self.error,
            "durationMs": round(self.seconds * 1000, 1),
            "ok": self.status is not None and 200 <= self.status < 300,
            "test": self.test,
        }


class RecentDeliveries:
    """A bounded ring of attempts per webhook."""

    def __init__(self, per_hook: int = PER_HOOK) -> None:
        self.per_hook = per_hook
        self._by_hook: dict[int, deque[tuple[int, Attempt]]] = {}
        self._order = itertools.count()  # arrival order: wall clocks can tie or step back

    def note(self, attempt: Attempt) -> None:
        """Keep `attempt`, forgetting the webhook's oldest beyond `per_hook`."""
        ring = self._by_hook.setdefault(attempt.webhook_id, deque(maxlen=self.per_hook))
        ring.append((next(self._order), attempt))

    def forget(self, webhook_id: int) -> None:
        """Drop a deleted webhook's attempts."""
        self._by_hook.pop(webhook_id, None)

    def newest_first(self, webhook_id: int | None = None) -> list[Attempt]:
        """Every kept attempt (or one webhook's), the latest noted first."""
        rings = (
            [self._by_hook.get(webhook_id, deque())]
            if webhook_id is not None
            else list(self._by_hook.values())
        )
        kept = sorted((entry for ring in rings for entry in ring), key=lambda e: e[0], reverse=True)
        return [attempt for _, attempt in kept]

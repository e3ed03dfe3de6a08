"""An edge's `GET /api/healthz` (issue 18): 200 `{"status": "ok", …}`, or 503 `failing` with
the problems named (Redis unreachable, the origin unreachable or refusing the secret). The
body has the shape of the origin's probe (`status`, `parts`, `problems`)."""

from __future__ import annotations

import json
from collections.abc import Callable

from owncastd.edge.origin import OriginClient


class EdgeHealth:
    """What the edge knows of Redis (the bus's session) and the origin (its last answers)."""

    def __init__(self, origin: OriginClient, redis_ok: Callable[[], bool]) -> None:
        self._origin = origin
        self._redis_ok = redis_ok

    def problems(self) -> list[str]:
        """Each current problem, as a line for the operator."""
        found = []
        if not self._redis_ok():
            found.append("redis: unreachable; chat is paused")
        if self._origin.reachable is False:
            found.append("origin: unreachable")
        elif self._origin.secret_refused:
            found.append("origin: refuses this edge's cluster secret (401)")
        return found

    def answer(self) -> tuple[int, bytes]:
        """The status code and JSON body of the probe."""
        problems = self.problems()
        parts = {
            "http": "up",
            "redis": "up" if self._redis_ok() else "down",
            "origin": "down" if self._origin.reachable is False else "up",
        }
        status = "failing" if problems else "ok"
        body = {"status": status, "parts": parts, "problems": problems}
        return (503 if problems else 200), json.dumps(body).encode()

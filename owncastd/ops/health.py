"""What `GET /api/healthz` reports: each part up or down, and why the daemon is degraded.

Parts are `http`, `rtmp` and `store`. The daemon marks the listeners up once they serve and down
when it stops; the store is probed with a cheap read (cached briefly so polling stays cheap).
Degraded reasons come from the disk monitor, the store's write failures and failed backups: the
stream and chat keep running, but something is not being saved. Status is `failing` when a
part is down, `degraded` when a reason is set, `ok` otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import trio

from owncastd.notify import sd_notify

log = logging.getLogger(__name__)

PARTS = ("http", "rtmp", "store")
PROBE_TIMEOUT = 2.0
PROBE_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class HealthReport:
    """One answer of the health probe."""

    status: str  # "ok" | "degraded" | "failing"
    parts: dict[str, str]  # part → "up" | "down"
    problems: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The body of `/api/healthz`."""
        return {"status": self.status, "parts": self.parts, "problems": list(self.problems)}


class Health:
    """The daemon's health, fed by the services that know each piece.

    `store_probe` does a trivial read and raises (or hangs) when the database is unusable;
    `checks` are named callables returning a degraded reason or None, asked on every report.
    """

    def __init__(
        self,
        store_probe: Callable[[], Awaitable[object]] | None = None,
        *,
        notify: Callable[[str], object] = sd_notify,
    ) -> None:
        self._up = dict.fromkeys(PARTS, False)
        self._store_probe = store_probe
        self._notify = notify
        self._reasons: dict[str, str] = {}
        self._checks: dict[str, Callable[[], str | None]] = {}
        self._probe_ok = False
        self._probe_at = -float("inf")

    def set_up(self, part: str, up: bool) -> None:
        """Mark a listener (`http`, `rtmp`) or the store as serving or not."""
        self._up[part] = up

    def add_check(self, name: str, check: Callable[[], str | None]) -> None:
        """Ask `check()` for a degraded reason on every report."""
        self._checks[name] = check

    def degrade(self, name: str, reason: str) -> None:
        """Record a degraded reason under `name` (replacing the previous one)."""
        if self._reasons.get(name) != reason:
            self._reasons[name] = reason
            self._notify(f"STATUS=degraded: {reason}")

    def recover(self, name: str) -> None:
        """Clear the reason recorded under `name`."""
        if self._reasons.pop(name, None) is not None and not self._reasons:
            self._notify("STATUS=serving")

    def reasons(self) -> list[str]:
        """Every current degraded reason."""
        found = list(self._reasons.values())
        for name, check in self._checks.items():
            try:
                reason = check()
            except Exception:
                log.exception("health check failed check=%s", name)
                reason = f"{name}: health check failed"
            if reason:
                found.append(reason)
        return found

    async def report(self) -> HealthReport:
        """Probe the store (at most once a second) and summarise."""
        parts = dict(self._up)
        if parts["store"]:
            parts["store"] = await self._probe()
        status = {part: "up" if up else "down" for part, up in parts.items()}
        problems = [f"{part}: down" for part, up in parts.items() if not up]
        degraded = self.reasons()
        if problems:
            overall = "failing"
        elif degraded:
            overall = "degraded"
        else:
            overall = "ok"
        return HealthReport(overall, status, tuple(problems + degraded))

    async def _probe(self) -> bool:
        if self._store_probe is None:
            return True
        now = trio.current_time()
        if now - self._probe_at < PROBE_CACHE_SECONDS:
            return self._probe_ok
        ok = False
        with trio.move_on_after(PROBE_TIMEOUT):
            try:
                await self._store_probe()
                ok = True
            except Exception as exc:
                log.warning("store health probe failed error=%s", exc)
        self._probe_ok, self._probe_at = ok, trio.current_time()
        return ok


def database_check(damage: Callable[[], str | None]) -> Callable[[], str | None]:
    """A check naming the database while `damage()` says it is damaged or unreadable."""

    def check() -> str | None:
        found = damage()
        if not found:
            return None
        return (
            f"database: damaged ({found}); chat and users may fail: stop the daemon and "
            "restore a backup (owncastd restore ARCHIVE)"
        )

    return check

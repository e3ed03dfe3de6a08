"""The federation delivery queue over the Store (migration 9): activity bodies and one row per
(activity, inbox) still to deliver. The queue logic (workers, breaker, backoff) lives in
:mod:`owncastd.federation.delivery`; this module is only its SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from owncastd.store.database import Store

ROWS_PER_INSERT = 200  # 6 parameters a row, well under SQLite's variable limit


@dataclass(frozen=True)
class QueuedDelivery:
    """One delivery due now, with the activity JSON to sign and post."""

    id: int
    inbox: str
    host: str
    attempts: int
    created_at: float
    body: bytes


class DeliveryStore:
    """Add, pick, reschedule and finish queued deliveries."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(
        self, activity: str, body: bytes, targets: Sequence[tuple[str, str]], now: float
    ) -> None:
        """Queue `body` (activity id `activity`) for each (inbox, host), due now; returns once
        committed. The same (activity, inbox) queued again is kept once."""
        await self._store.write(
            "INSERT OR IGNORE INTO ap_delivery_bodies (id, body, created_at) VALUES (?, ?, ?)",
            (activity, body, now),
        )
        for start in range(0, len(targets), ROWS_PER_INSERT):
            chunk = targets[start : start + ROWS_PER_INSERT]
            values = ", ".join("(?, ?, ?, 0, ?, ?)" for _ in chunk)
            params: list[object] = []
            for inbox, host in chunk:
                params += [activity, inbox, host, now, now]
            await self._store.write(
                "INSERT OR IGNORE INTO ap_deliveries"
                " (activity, inbox, host, attempts, next_attempt, created_at)"
                f" VALUES {values}",
                params,
            )

    async def due(
        self,
        now: float,
        per_host: int,
        skip_ids: Collection[int],
        skip_hosts: Collection[str],
        limit: int,
    ) -> list[QueuedDelivery]:
        """Deliveries due at `now` (oldest first), at most `per_host` of each host and `limit`
        in all, leaving out `skip_ids` (those being sent) and `skip_hosts` (busy ones)."""
        skip, hosts = sorted(skip_ids), sorted(skip_hosts)
        marks = ", ".join("?" for _ in skip)
        host_marks = ", ".join("?" for _ in hosts)

        def query(conn: sqlite3.Connection) -> list[QueuedDelivery]:
            rows = conn.execute(
                "SELECT d.id, d.inbox, d.host, d.attempts, d.created_at, b.body FROM ("
                "  SELECT *, ROW_NUMBER() OVER (PARTITION BY host ORDER BY next_attempt, id) AS n"
                "  FROM ap_deliveries WHERE next_attempt <= ?"
                f"  AND id NOT IN ({marks}) AND host NOT IN ({host_marks})"
                ") AS d JOIN ap_delivery_bodies AS b ON b.id = d.activity"
                " WHERE d.n <= ? ORDER BY d.next_attempt, d.id LIMIT ?",
                (now, *skip, *hosts, per_host, limit),
            )
            return [
                QueuedDelivery(
                    int(r["id"]),
                    str(r["inbox"]),
                    str(r["host"]),
                    int(r["attempts"]),
                    float(r["created_at"]),
                    bytes(r["body"]),
                )
                for r in rows
            ]

        return await self._store.read(query)

    async def next_due(
        self, skip_ids: Collection[int], skip_hosts: Collection[str]
    ) -> float | None:
        """The earliest `next_attempt` among the deliveries not being sent nor to a busy host,
        or None if there are none."""
        skip, hosts = sorted(skip_ids), sorted(skip_hosts)
        marks = ", ".join("?" for _ in skip)
        host_marks = ", ".join("?" for _ in hosts)

        def query(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                "SELECT MIN(next_attempt) AS t FROM ap_deliveries"
                f" WHERE id NOT IN ({marks}) AND host NOT IN ({host_marks})",
                (*skip, *hosts),
            ).fetchone()
            return None if row["t"] is None else float(row["t"])

        return await self._store.read(query)

    async def pending(self) -> int:
        """How many deliveries are queued."""

        def query(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT COUNT(*) FROM ap_deliveries").fetchone()[0])

        return await self._store.read(query)

    async def finish(self, delivery_id: int) -> None:
        """Forget a delivery that was delivered or dropped."""
        await self._store.write("DELETE FROM ap_deliveries WHERE id = ?", (delivery_id,))

    async def retry(self, delivery_id: int, at: float, error: str) -> None:
        """Count a failed attempt; try again at `at`."""
        await self._store.write(
            "UPDATE ap_deliveries SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
            " WHERE id = ?",
            (at, error[:500], delivery_id),
        )

    async def hold_host(self, host: str, until: float) -> None:
        """Delay every delivery to `host` to `until` at the earliest (the breaker is open)."""
        await self._store.write(
            "UPDATE ap_deliveries SET next_attempt = ? WHERE host = ? AND next_attempt < ?",
            (until, host, until),
        )

    async def forget_bodies(self, before: float) -> None:
        """Delete the bodies queued before `before` that no delivery needs any more."""
        await self._store.write(
            "DELETE FROM ap_delivery_bodies WHERE created_at < ?"
            " AND id NOT IN (SELECT DISTINCT activity FROM ap_deliveries)",
            (before,),
        )

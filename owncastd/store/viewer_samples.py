"""Viewer counts over time (`viewer_samples`, migration 3) for `/api/admin/viewersOverTime`.

Timestamps are stored as fixed-width UTC text (`2026-03-01T12:30:15.250Z`), so comparing them as
text orders them in time.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from owncastd.store.database import Store


def stamp(value: datetime) -> str:
    """`value` as the stored fixed-width UTC text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_stamp(text: str) -> datetime:
    """The inverse of :func:`stamp`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class ViewerSampleRepository:
    """Adds, reads and prunes viewer-count samples."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, at: datetime, count: int) -> None:
        """Save one sample (a second sample at the same instant replaces the first)."""
        await self._store.write(
            "INSERT OR REPLACE INTO viewer_samples (timestamp, count) VALUES (?, ?)",
            (stamp(at), count),
        )

    async def prune(self, before: datetime) -> None:
        """Forget samples older than `before`."""
        await self._store.write("DELETE FROM viewer_samples WHERE timestamp < ?", (stamp(before),))

    async def since(self, start: datetime, limit: int = 50_000) -> list[tuple[datetime, int]]:
        """Samples at or after `start`, oldest first (at most `limit`, the newest ones)."""

        def query(conn: sqlite3.Connection) -> list[tuple[datetime, int]]:
            rows = conn.execute(
                "SELECT timestamp, count FROM viewer_samples WHERE timestamp >= ? "
                "ORDER BY timestamp DESC LIMIT ?",
                (stamp(start), limit),
            ).fetchall()
            return [(parse_stamp(row["timestamp"]), int(row["count"])) for row in reversed(rows)]

        return await self._store.read(query)

"""Go-live notification subscribers over the Store (`notifications` table of migration 3):
`destination` is what the browser registered (PushSubscription JSON), kept verbatim."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from owncastd.core.chat.models import rfc3339
from owncastd.store.database import Store

MAX_SUBSCRIBERS = 100_000


class NotificationStore:
    """Add, list and remove notification subscribers of one channel."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, channel: str, destination: str, at: datetime) -> None:
        """Keep a subscriber; the same destination registered again is kept once."""

        def query(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT 1 FROM notifications WHERE channel = ? AND destination = ?",
                (channel, destination),
            ).fetchone()
            return row is not None

        if not await self._store.read(query):
            await self._store.write(
                "INSERT INTO notifications (channel, destination, created_at) VALUES (?, ?, ?)",
                (channel, destination, rfc3339(at)),
            )

    async def destinations(self, channel: str) -> list[tuple[int, str]]:
        """(id, destination) of every subscriber of `channel`, oldest first."""

        def query(conn: sqlite3.Connection) -> list[tuple[int, str]]:
            rows = conn.execute(
                "SELECT id, destination FROM notifications WHERE channel = ? ORDER BY id LIMIT ?",
                (channel, MAX_SUBSCRIBERS),
            )
            return [(int(row["id"]), str(row["destination"])) for row in rows]

        return await self._store.read(query)

    async def count(self, channel: str) -> int:
        """How many subscribers `channel` has."""

        def query(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT COUNT(*) AS n FROM notifications WHERE channel = ?", (channel,)
            ).fetchone()
            return int(row["n"])

        return await self._store.read(query)

    async def remove(self, subscriber_id: int) -> None:
        """Forget a subscriber (its push service said it is gone)."""
        await self._store.write("DELETE FROM notifications WHERE id = ?", (subscriber_id,))

"""Webhooks over the Store (`webhooks` table of migration 3): `events` comma-joined, times as
ISO-8601 UTC text."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from owncastd.core.chat.models import rfc3339
from owncastd.core.webhooks import Webhook
from owncastd.store.database import Store


def _webhook(row: sqlite3.Row) -> Webhook:
    return Webhook(
        id=int(row["id"]),
        url=row["url"],
        events=tuple(e for e in row["events"].split(",") if e),
        secret=row["secret"],
        created_at=datetime.fromisoformat(row["timestamp"]),
        last_used=datetime.fromisoformat(row["last_used"]) if row["last_used"] else None,
    )


class WebhookStore:
    """Create, list, delete webhooks and record their last successful use."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def all(self) -> list[Webhook]:
        """Every webhook, by id."""

        def query(conn: sqlite3.Connection) -> list[Webhook]:
            return [_webhook(row) for row in conn.execute("SELECT * FROM webhooks ORDER BY id")]

        return await self._store.read(query)

    async def insert(self, url: str, events: tuple[str, ...], secret: str, at: datetime) -> Webhook:
        """Store a new webhook and return it with its id (the newest row with its secret: an
        admin may choose a secret, and the caller creates one webhook at a time)."""
        await self._store.write(
            "INSERT INTO webhooks (url, events, secret, timestamp) VALUES (?, ?, ?, ?)",
            (url, ",".join(events), secret, rfc3339(at)),
        )

        def query(conn: sqlite3.Connection) -> Webhook:
            row = conn.execute(
                "SELECT * FROM webhooks WHERE secret = ? ORDER BY id DESC LIMIT 1", (secret,)
            ).fetchone()
            return _webhook(row)

        return await self._store.read(query)

    async def delete(self, webhook_id: int) -> None:
        """Remove a webhook."""
        await self._store.write("DELETE FROM webhooks WHERE id = ?", (webhook_id,))

    def mark_used(self, webhook_id: int, at: datetime) -> None:
        """Record a successful delivery (queued; never waits for the disk)."""
        self._store.write_nowait(
            "UPDATE webhooks SET last_used = ? WHERE id = ?", (rfc3339(at), webhook_id)
        )

"""Small runtime values kept in the `datastore` table (not in `owncast.toml`).

For example the directory registration key (`directory_registration_key`), which the directory
hands out and `/api/admin/yp/reset` clears.
"""

from __future__ import annotations

import sqlite3

from owncastd.store.database import Store

DIRECTORY_KEY = "directory_registration_key"
_UPSERT = (
    "INSERT INTO datastore (key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
    "timestamp = strftime('%Y-%m-%dT%H:%M:%fZ','now')"
)


class Datastore:
    """Text values by key."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def directory_registration_key(self) -> str | None:
        """The key the directory handed out, if any."""
        return await self.get(DIRECTORY_KEY)

    async def save_directory_registration_key(self, key: str) -> None:
        """Keep the key the directory handed out (sent with every later ping)."""
        await self.put(DIRECTORY_KEY, key)

    async def forget_directory_registration(self) -> None:
        """Drop the directory registration key (`/api/admin/yp/reset`)."""
        await self.delete(DIRECTORY_KEY)

    async def get(self, key: str) -> str | None:
        """The value, or None when unset."""

        def query(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT value FROM datastore WHERE key = ?", (key,)).fetchone()
            return str(row["value"]) if row else None

        return await self._store.read(query)

    async def put(self, key: str, value: str) -> None:
        """Set a value (waits until it is committed)."""
        await self._store.write(_UPSERT, (key, value))

    def put_nowait(self, key: str, value: str) -> None:
        """Set a value without waiting: queued for the group-commit writer."""
        self._store.write_nowait(_UPSERT, (key, value))

    async def delete(self, key: str) -> None:
        """Unset a value (no error when it was unset)."""
        await self._store.write("DELETE FROM datastore WHERE key = ?", (key,))

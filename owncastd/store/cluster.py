"""What the cluster origin's consumer needs of the database: which derived message ids are
stored already, and a barrier that waits until every queued write is committed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from owncastd.store.database import Store

CHUNK = 500  # SQLite's default variable limit is far above; keeps each query small


class ClusterLedger:
    """Reads and a write barrier over the daemon's store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def stored_messages(self, ids: Sequence[str]) -> set[str]:
        """The ids among `ids` that the messages table holds."""
        wanted = list(dict.fromkeys(ids))

        def query(conn: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT id FROM messages WHERE id IN ({marks})", chunk)
                found.update(row[0] for row in rows)
            return found

        return await self._store.read(query)

    async def flush(self) -> None:
        """Return once every write queued before the call is committed (the writer is FIFO)."""
        await self._store.write("SELECT 1")

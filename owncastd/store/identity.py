"""Linked chat identities over the `auth` table (migration 2) and token re-pointing: the
`IdentityRepository` of `owncastd.core.identity.linking`."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from owncastd.core.chat.models import rfc3339
from owncastd.core.identity.linking import Owner
from owncastd.store.database import Store
from owncastd.store.token_hash import token_digest


class IdentityStore:
    """Who owns which IndieAuth `me` or Fediverse account."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def owner_of(self, identity: str, kind: str) -> Owner | None:
        """The user linked to `identity` of `kind` (the earliest link if several)."""

        def query(conn: sqlite3.Connection) -> Owner | None:
            row = conn.execute(
                "SELECT u.id, u.display_name FROM auth a JOIN users u ON u.id = a.user_id "
                "WHERE a.token = ? AND a.type = ? ORDER BY a.id LIMIT 1",
                (identity, kind),
            ).fetchone()
            return Owner(row["id"], row["display_name"]) if row else None

        return await self._store.read(query)

    async def point_token(self, token: str, user_id: str) -> None:
        """Make the access token belong to `user_id`."""
        await self._store.write(
            "UPDATE user_access_tokens SET user_id = ? WHERE token = ?",
            (user_id, token_digest(token)),
        )

    async def attach(self, user_id: str, identity: str, kind: str, at: datetime) -> None:
        """Link `identity` to the user and mark them authenticated."""
        stamp = rfc3339(at)
        await self._store.write(  # a user deleted meanwhile gets nothing (and no error)
            "INSERT INTO auth (user_id, token, type, timestamp) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)",
            (user_id, identity, kind, stamp, user_id),
        )
        await self._store.write(
            "UPDATE users SET authenticated_at = ? WHERE id = ?", (stamp, user_id)
        )

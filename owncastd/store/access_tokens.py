"""Integration tokens over the Store: bot rows in `users` (type 'API', comma-joined scopes) and
their tokens in `user_access_tokens` (migration 2), as Owncast keeps them (reference §3.2).

Unlike Owncast, the token column holds the token's SHA-256 digest (store/token_hash.py): the
token is shown once, when created; listed integrations carry the digest in its place, and
deleting accepts either the token or that listed digest."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from owncastd.core.access_tokens import Integration
from owncastd.core.chat.models import USER_TYPE_API, rfc3339
from owncastd.store.database import Store
from owncastd.store.token_hash import is_digest, token_digest

log = logging.getLogger(__name__)

_SELECT = (
    "SELECT u.id, t.token, u.display_name, u.display_color, u.scopes, u.created_at, "
    "u.last_used FROM user_access_tokens t JOIN users u ON u.id = t.user_id "
    f"WHERE u.type = '{USER_TYPE_API}' AND u.disabled_at IS NULL"
)


def _integration(row: sqlite3.Row, token: str | None = None) -> Integration:
    return Integration(
        id=row["id"],
        token=token or row["token"],
        display_name=row["display_name"],
        display_color=int(row["display_color"]),
        scopes=tuple(s for s in row["scopes"].split(",") if s),
        created_at=datetime.fromisoformat(row["created_at"]),
        last_used=datetime.fromisoformat(row["last_used"]) if row["last_used"] else None,
    )


class AccessTokenStore:
    """Create, list, look up and delete integration tokens."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, integration: Integration) -> None:
        """Insert the bot user and its token (both committed before returning)."""
        created = rfc3339(integration.created_at)
        await self._store.write(
            "INSERT INTO users (id, display_name, display_color, created_at, previous_names, "
            "scopes, type) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                integration.id,
                integration.display_name,
                integration.display_color,
                created,
                integration.display_name,
                ",".join(integration.scopes),
                USER_TYPE_API,
            ),
        )
        try:
            await self._store.write(
                "INSERT INTO user_access_tokens (token, user_id, timestamp) VALUES (?, ?, ?)",
                (token_digest(integration.token), integration.id, created),
            )
        except BaseException:
            self._store.write_nowait("DELETE FROM users WHERE id = ?", (integration.id,))
            raise

    async def all(self) -> list[Integration]:
        """Every live integration, oldest first."""

        def query(conn: sqlite3.Connection) -> list[Integration]:
            rows = conn.execute(_SELECT + " ORDER BY u.created_at, u.rowid").fetchall()
            return [_integration(row) for row in rows]

        return await self._store.read(query)

    async def find(self, token: str) -> Integration | None:
        """The live integration owning `token` (chat users' tokens never match).

        The answer carries the presented token; a stored digest is never accepted as one.
        """
        return await self._find_digest(token_digest(token), token)

    async def _find_digest(self, digest: str, token: str | None) -> Integration | None:
        def query(conn: sqlite3.Connection) -> Integration | None:
            row = conn.execute(_SELECT + " AND t.token = ?", (digest,)).fetchone()
            return _integration(row, token) if row else None

        return await self._store.read(query)

    async def delete(self, token: str, now: datetime) -> bool:
        """Disable the integration and drop its token; False when no live one has it.

        `token` is the token itself or the digest the list shows in its place. The bot row
        stays (its past messages keep their author, hidden from history like any disabled
        user's, as in Owncast).
        """
        found = await self._find_digest(token_digest(token), None)
        if found is None and is_digest(token):
            found = await self._find_digest(token, None)
        if found is None:
            return False
        await self._store.write(
            "UPDATE users SET disabled_at = ? WHERE id = ? AND type = ?",
            (rfc3339(now), found.id, USER_TYPE_API),
        )
        await self._store.write("DELETE FROM user_access_tokens WHERE token = ?", (found.token,))
        log.info("access token deleted user=%s", found.id)
        return True

    def mark_used(self, user_id: str, at: datetime) -> None:
        """Record the token's last use (queued; never waits for the disk)."""
        self._store.write_nowait(
            "UPDATE users SET last_used = ? WHERE id = ?", (rfc3339(at), user_id)
        )

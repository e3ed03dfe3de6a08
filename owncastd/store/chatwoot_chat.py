"""What the Chatwoot bridge reads from chat's tables (migration 2): a reported message, its
author and their recent messages (for an escalation), and the relay's bot user."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from owncastd.core.chat.models import USER_TYPE_API, rfc3339
from owncastd.core.chatwoot.escalation import ChatLine
from owncastd.store.database import Store


class ChatLookup:
    """Implements the escalation's `ChatHistory` over SQLite."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def message(self, message_id: str) -> ChatLine | None:
        """One chat message with its author (None when unknown or not from a user)."""

        def query(conn: sqlite3.Connection) -> ChatLine | None:
            row = conn.execute(
                "SELECT m.id, m.user_id, m.body, m.timestamp, u.display_name FROM messages m"
                " JOIN users u ON u.id = m.user_id WHERE m.id = ?",
                (message_id,),
            ).fetchone()
            return None if row is None else ChatLine(*row)

        return await self._store.read(query)

    async def user_name(self, user_id: str) -> str | None:
        """A chat user's display name (None when unknown)."""

        def query(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT display_name FROM users WHERE id = ?", (user_id,)).fetchone()
            return None if row is None else str(row[0])

        return await self._store.read(query)

    async def recent(self, user_id: str, limit: int) -> list[ChatLine]:
        """A user's newest chat messages, oldest first."""

        def query(conn: sqlite3.Connection) -> list[ChatLine]:
            rows = conn.execute(
                "SELECT m.id, m.user_id, m.body, m.timestamp, u.display_name FROM messages m"
                " JOIN users u ON u.id = m.user_id WHERE m.user_id = ?"
                " ORDER BY m.timestamp DESC, m.rowid DESC LIMIT ?",
                (user_id, limit),
            ).fetchall()
            return [ChatLine(*row) for row in reversed(rows)]

        return await self._store.read(query)

    async def ensure_bot_user(self, user_id: str, name: str, at: datetime) -> None:
        """The bot user relayed messages appear as (an integration-type user, as Owncast's)."""
        await self._store.write(
            "INSERT OR IGNORE INTO users (id, display_name, display_color, created_at,"
            " previous_names, scopes, type) VALUES (?, ?, 0, ?, ?, '', ?)",
            (user_id, name, rfc3339(at), name, USER_TYPE_API),
        )

"""Chat persistence over the Store (migration 2): users, access tokens, messages, IP bans.

Implements `owncastd.core.chat.ports.ChatRepository` plus what the HTTP routes read.
Timestamps are ISO-8601 UTC text with milliseconds, so they sort and compare as strings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from owncastd.core.chat.models import (
    MODERATOR,
    USER_TYPE_API,
    USER_TYPE_STANDARD,
    ChatMessage,
    ChatUser,
    rfc3339,
)
from owncastd.store.database import Store
from owncastd.store.token_hash import token_digest

HISTORY_LIMIT = 50
_USER_COLUMNS = (
    "u.id, u.display_name, u.display_color, u.created_at, u.disabled_at, u.previous_names, "
    "u.namechanged_at, u.authenticated_at, u.scopes, u.type"
)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _user(row: sqlite3.Row, prefix: str = "") -> ChatUser:
    created = _time(row[f"{prefix}created_at"])
    assert created is not None
    return ChatUser(
        id=row[f"{prefix}id"],
        display_name=row[f"{prefix}display_name"],
        display_color=int(row[f"{prefix}display_color"]),
        created_at=created,
        disabled_at=_time(row[f"{prefix}disabled_at"]),
        name_changed_at=_time(row[f"{prefix}namechanged_at"]),
        previous_names=tuple(n for n in row[f"{prefix}previous_names"].split(",") if n),
        scopes=tuple(s for s in row[f"{prefix}scopes"].split(",") if s),
        is_bot=row[f"{prefix}type"] == USER_TYPE_API,
        authenticated=row[f"{prefix}authenticated_at"] is not None,
    )


def _message(row: sqlite3.Row) -> ChatMessage:
    user = _user(row, "u_") if row["u_id"] is not None else None
    timestamp = _time(row["timestamp"])
    assert timestamp is not None
    return ChatMessage(
        id=row["id"],
        type=row["eventType"],
        body=row["body"],
        timestamp=timestamp,
        user=user,
        hidden_at=_time(row["hidden_at"]),
        title=row["title"],
        image=row["image"],
        link=row["link"],
    )


_MESSAGE_SELECT = (
    "SELECT m.id, m.body, m.eventType, m.hidden_at, m.timestamp, m.title, m.image, m.link, "
    "u.id AS u_id, u.display_name AS u_display_name, u.display_color AS u_display_color, "
    "u.created_at AS u_created_at, u.disabled_at AS u_disabled_at, "
    "u.previous_names AS u_previous_names, u.namechanged_at AS u_namechanged_at, "
    "u.authenticated_at AS u_authenticated_at, u.scopes AS u_scopes, u.type AS u_type "
    "FROM messages m "
)


class ChatStore:
    """SQLite-backed chat repository. Writes go through the Store's group-commit writer."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # ---- users and tokens --------------------------------------------------------------

    async def create_user(
        self, user: ChatUser, token: str, *, kind: str = USER_TYPE_STANDARD
    ) -> None:
        """Insert a user and their access token (committed before returning)."""
        await self._store.write(
            "INSERT INTO users (id, display_name, display_color, created_at, previous_names, "
            "scopes, type) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user.id,
                user.display_name,
                user.display_color,
                rfc3339(user.created_at),
                ",".join(user.previous_names),
                ",".join(user.scopes),
                kind,
            ),
        )
        await self._store.write(
            "INSERT INTO user_access_tokens (token, user_id, timestamp) VALUES (?, ?, ?)",
            (token_digest(token), user.id, rfc3339(user.created_at)),
        )

    async def save_user(self, user: ChatUser) -> None:
        """Store a user's name, colour, names history, scopes and disabled time."""
        await self._store.write(
            "UPDATE users SET display_name = ?, display_color = ?, previous_names = ?, "
            "namechanged_at = ?, scopes = ?, disabled_at = ? WHERE id = ?",
            (
                user.display_name,
                user.display_color,
                ",".join(user.previous_names),
                rfc3339(user.name_changed_at) if user.name_changed_at else None,
                ",".join(user.scopes),
                rfc3339(user.disabled_at) if user.disabled_at else None,
                user.id,
            ),
        )

    async def user_for_token(self, token: str) -> ChatUser | None:
        """The user owning a chat access token."""

        def query(conn: sqlite3.Connection) -> ChatUser | None:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM user_access_tokens t "
                "JOIN users u ON u.id = t.user_id WHERE t.token = ?",
                (token_digest(token),),
            ).fetchone()
            return _user(row) if row else None

        return await self._store.read(query)

    async def user(self, user_id: str) -> ChatUser | None:
        """One user by id."""

        def query(conn: sqlite3.Connection) -> ChatUser | None:
            row = conn.execute(f"SELECT {_USER_COLUMNS} FROM users u WHERE u.id = ?", (user_id,))
            found = row.fetchone()
            return _user(found) if found else None

        return await self._store.read(query)

    async def name_taken(self, name: str, *, except_user_id: str = "") -> bool:
        """True when another user already has this display name (case-insensitive)."""

        def query(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT 1 FROM users WHERE display_name = ? COLLATE NOCASE AND id != ? LIMIT 1",
                (name, except_user_id),
            ).fetchone()
            return row is not None

        return await self._store.read(query)

    async def users_where(self, condition: str) -> list[ChatUser]:
        """Users matching a fixed SQL condition (used by `disabled_users`, `moderators`)."""

        def query(conn: sqlite3.Connection) -> list[ChatUser]:
            rows = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users u WHERE {condition} ORDER BY u.created_at"
            )
            return [_user(row) for row in rows]

        return await self._store.read(query)

    async def disabled_users(self) -> list[ChatUser]:
        """Disabled people (integration users excluded)."""
        return await self.users_where(f"u.disabled_at IS NOT NULL AND u.type != '{USER_TYPE_API}'")

    async def moderators(self) -> list[ChatUser]:
        """Users with the MODERATOR scope."""
        return await self.users_where(f"(',' || u.scopes || ',') LIKE '%,{MODERATOR},%'")

    # ---- messages --------------------------------------------------------------------

    def queue_message(self, message: ChatMessage) -> None:
        """Queue the insert to the group-commit writer (no wait; a full queue is logged)."""
        self._store.write_nowait(
            "INSERT OR IGNORE INTO messages (id, user_id, body, eventType, hidden_at, timestamp, "
            "title, image, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message.id,
                message.user.id if message.user else None,
                message.body,
                message.type,
                rfc3339(message.hidden_at) if message.hidden_at else None,
                rfc3339(message.timestamp),
                message.title,
                message.image,
                message.link,
            ),
        )

    async def history(self, limit: int = HISTORY_LIMIT) -> list[ChatMessage]:
        """The newest `limit` visible messages of enabled users, oldest first."""

        def query(conn: sqlite3.Connection) -> list[ChatMessage]:
            rows = conn.execute(
                _MESSAGE_SELECT + "JOIN users u ON u.id = m.user_id "
                "WHERE m.hidden_at IS NULL AND u.disabled_at IS NULL "
                "ORDER BY m.timestamp DESC, m.rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
            return [_message(row) for row in reversed(rows)]

        return await self._store.read(query)

    async def all_messages(self) -> list[ChatMessage]:
        """Every stored message including hidden ones, newest first (admin view)."""

        def query(conn: sqlite3.Connection) -> list[ChatMessage]:
            rows = conn.execute(
                _MESSAGE_SELECT + "LEFT JOIN users u ON u.id = m.user_id "
                "ORDER BY m.timestamp DESC, m.rowid DESC"
            ).fetchall()
            return [_message(row) for row in rows]

        return await self._store.read(query)

    async def messages_of(self, user_id: str) -> list[ChatMessage]:
        """One user's messages, newest first (moderation details)."""

        def query(conn: sqlite3.Connection) -> list[ChatMessage]:
            rows = conn.execute(
                _MESSAGE_SELECT + "JOIN users u ON u.id = m.user_id WHERE m.user_id = ? "
                "ORDER BY m.timestamp DESC, m.rowid DESC",
                (user_id,),
            ).fetchall()
            return [_message(row) for row in rows]

        return await self._store.read(query)

    async def visible_message_ids_of(self, user_id: str) -> list[str]:
        """Ids of a user's messages that are not hidden."""

        def query(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                "SELECT id FROM messages WHERE user_id = ? AND hidden_at IS NULL", (user_id,)
            )
            return [row["id"] for row in rows]

        return await self._store.read(query)

    async def set_hidden(self, ids: Sequence[str], hidden_at: datetime | None) -> None:
        """Hide (`hidden_at` set) or show messages."""
        marks = ",".join("?" * len(ids))
        await self._store.write(
            f"UPDATE messages SET hidden_at = ? WHERE id IN ({marks})",
            (rfc3339(hidden_at) if hidden_at else None, *ids),
        )

    async def prune_messages(self, older_than: datetime) -> int:
        """Delete messages at or before `older_than`; returns how many went."""
        cutoff = rfc3339(older_than)

        def count(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT COUNT(*) FROM messages WHERE timestamp <= ?", (cutoff,))
            return int(row.fetchone()[0])

        found = await self._store.read(count)
        if found:
            await self._store.write("DELETE FROM messages WHERE timestamp <= ?", (cutoff,))
        return found

    async def counts(self) -> tuple[int, int]:
        """How many chat users (people and bots) and messages are kept."""

        def query(conn: sqlite3.Connection) -> tuple[int, int]:
            users = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
            messages = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            return int(users), int(messages)

        return await self._store.read(query)

    # ---- IP bans ---------------------------------------------------------------------

    async def ip_bans(self) -> list[tuple[str, str, datetime]]:
        """Every ban as (ip, notes, created_at)."""

        def query(conn: sqlite3.Connection) -> list[tuple[str, str, datetime]]:
            rows = conn.execute("SELECT ip_address, notes, created_at FROM ip_bans")
            return [
                (row["ip_address"], row["notes"], datetime.fromisoformat(row["created_at"]))
                for row in rows
            ]

        return await self._store.read(query)

    async def add_ip_ban(self, ip: str, notes: str, at: datetime) -> None:
        """Ban an address (an existing ban keeps its notes and time)."""
        await self._store.write(
            "INSERT OR IGNORE INTO ip_bans (ip_address, notes, created_at) VALUES (?, ?, ?)",
            (ip, notes, rfc3339(at)),
        )

    async def remove_ip_ban(self, ip: str) -> None:
        """Lift a ban."""
        await self._store.write("DELETE FROM ip_bans WHERE ip_address = ?", (ip,))

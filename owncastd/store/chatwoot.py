"""The Chatwoot bridge's state over the Store (tables of migration 6): the message log (outbox
rows and private threads), contacts and conversations."""

from __future__ import annotations

import sqlite3

from owncastd.core.chatwoot.records import (
    CONFIRMATION,
    OUTGOING_KINDS,
    QUEUED,
    REPLY,
    SENDING,
    SENT,
    VIEWER,
    Contact,
    Conversation,
    OutboxRow,
    QueueStatus,
    ThreadEntry,
)
from owncastd.store.database import Store

_OUTGOING = ",".join(f"'{kind}'" for kind in OUTGOING_KINDS)


def _row(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        kind=row["kind"],
        user_id=row["user_id"],
        content=row["content"],
        created_at=row["created_at"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt=row["next_attempt"],
        last_error=row["last_error"],
        conversation_id=row["conversation_id"],
        cursor=row["cursor"],
        chatwoot_id=row["chatwoot_id"],
        name=row["name"],
        subject=row["subject"],
    )


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        conversation_id=row["conversation_id"],
        user_id=row["user_id"],
        kind=row["kind"],
        status=row["status"],
        cursor=row["cursor"],
        message_id=row["message_id"],
    )


class ChatwootStore:
    """Implements the bridge's `BridgeRepository` over SQLite."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # ---- outbox --------------------------------------------------------------------------

    async def enqueue(self, row: OutboxRow) -> None:
        """Write a queued row (committed when this returns)."""
        await self._store.write(
            "INSERT INTO chatwoot_messages (id, kind, user_id, author, content, name, subject,"
            " created_at, status, next_attempt, conversation_id)"
            " VALUES (?, ?, ?, 'viewer', ?, ?, ?, ?, ?, ?, ?)",
            (
                row.id,
                row.kind,
                row.user_id,
                row.content,
                row.name,
                row.subject,
                row.created_at,
                QUEUED,
                row.next_attempt,
                row.conversation_id,
            ),
        )

    async def due(self, now: float, limit: int) -> list[OutboxRow]:
        """Unsent rows whose next attempt is due, oldest first; a viewer's rows wait behind their
        first one that waits (their order is kept)."""

        def query(conn: sqlite3.Connection) -> list[OutboxRow]:
            rows = conn.execute(
                f"SELECT * FROM chatwoot_messages m WHERE status IN (?, ?) AND next_attempt <= ?"
                f" AND kind IN ({_OUTGOING}) AND (kind = ? OR NOT EXISTS ("
                "   SELECT 1 FROM chatwoot_messages e WHERE e.user_id = m.user_id"
                "   AND e.seq < m.seq AND e.kind = m.kind AND e.status IN (?, ?)"
                "   AND e.next_attempt > ?))"
                " ORDER BY seq LIMIT ?",
                (QUEUED, SENDING, now, CONFIRMATION, QUEUED, SENDING, now, limit),
            )
            return [_row(r) for r in rows]

        return await self._store.read(query)

    async def next_due(self) -> float | None:
        """When the next unsent row at the head of a viewer's queue is due (None: none)."""

        def query(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                f"SELECT MIN(next_attempt) FROM chatwoot_messages m WHERE status IN (?, ?)"
                f" AND kind IN ({_OUTGOING}) AND (kind = ? OR NOT EXISTS ("
                "   SELECT 1 FROM chatwoot_messages e WHERE e.user_id = m.user_id"
                "   AND e.seq < m.seq AND e.kind = m.kind AND e.status IN (?, ?)))",
                (QUEUED, SENDING, CONFIRMATION, QUEUED, SENDING),
            ).fetchone()
            return None if row[0] is None else float(row[0])

        return await self._store.read(query)

    async def mark_sending(self, row_id: str, conversation_id: int, cursor: int) -> None:
        """A post of this row starts (it may reach Chatwoot even if we never hear back)."""
        await self._store.write(
            "UPDATE chatwoot_messages SET status = ?, conversation_id = ?, cursor = ? WHERE id = ?",
            (SENDING, conversation_id, cursor, row_id),
        )

    async def mark_sent(self, row_id: str, conversation_id: int, chatwoot_id: int) -> None:
        """Sent: Chatwoot's id recorded with the status, in one statement."""
        await self._store.write(
            "UPDATE chatwoot_messages SET status = ?, conversation_id = ?, chatwoot_id = ?,"
            " last_error = '' WHERE id = ?",
            (SENT, conversation_id, chatwoot_id, row_id),
        )

    async def mark_retry(self, row_id: str, attempts: int, at: float, error: str) -> None:
        """Try again at `at` (status unchanged: a `sending` row stays to be checked)."""
        await self._store.write(
            "UPDATE chatwoot_messages SET attempts = ?, next_attempt = ?, last_error = ?"
            " WHERE id = ?",
            (attempts, at, error, row_id),
        )

    async def mark_failed(self, row_id: str, error: str) -> None:
        """Rejected by Chatwoot: not retried."""
        await self._store.write(
            "UPDATE chatwoot_messages SET status = 'failed', attempts = attempts + 1,"
            " last_error = ? WHERE id = ?",
            (error, row_id),
        )

    async def queue_status(self) -> QueueStatus:
        """Rows by status, and the newest error of an unsent or failed row."""

        def query(conn: sqlite3.Connection) -> QueueStatus:
            counts = {
                r[0]: r[1]
                for r in conn.execute(
                    f"SELECT status, COUNT(*) FROM chatwoot_messages WHERE kind IN ({_OUTGOING})"
                    " GROUP BY status"
                )
            }
            row = conn.execute(
                "SELECT last_error FROM chatwoot_messages WHERE last_error != '' AND status != ?"
                " ORDER BY seq DESC LIMIT 1",
                (SENT,),
            ).fetchone()
            return QueueStatus(counts, row[0] if row else "")

        return await self._store.read(query)

    # ---- contacts and conversations ------------------------------------------------------

    async def contact(self, user_id: str) -> Contact | None:
        def query(conn: sqlite3.Connection) -> Contact | None:
            row = conn.execute(
                "SELECT * FROM chatwoot_contacts WHERE user_id = ?", (user_id,)
            ).fetchone()
            return None if row is None else Contact(user_id, row["contact_id"], row["source_id"])

        return await self._store.read(query)

    async def save_contact(self, contact: Contact) -> None:
        await self._store.write(
            "INSERT OR REPLACE INTO chatwoot_contacts (user_id, contact_id, source_id)"
            " VALUES (?, ?, ?)",
            (contact.user_id, contact.contact_id, contact.source_id),
        )

    async def conversation(self, conversation_id: int) -> Conversation | None:
        def query(conn: sqlite3.Connection) -> Conversation | None:
            row = conn.execute(
                "SELECT * FROM chatwoot_conversations WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            return None if row is None else _conversation(row)

        return await self._store.read(query)

    async def conversation_of(self, user_id: str) -> Conversation | None:
        """The viewer's newest private-thread conversation."""

        def query(conn: sqlite3.Connection) -> Conversation | None:
            row = conn.execute(
                "SELECT * FROM chatwoot_conversations WHERE user_id = ? AND kind = ?"
                " ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                (user_id, VIEWER),
            ).fetchone()
            return None if row is None else _conversation(row)

        return await self._store.read(query)

    async def save_conversation(self, conversation: Conversation) -> None:
        await self._store.write(
            "INSERT INTO chatwoot_conversations (conversation_id, user_id, kind, status, cursor,"
            " message_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, strftime('%s','now'))"
            " ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status,"
            " cursor = MAX(cursor, excluded.cursor), updated_at = excluded.updated_at",
            (
                conversation.conversation_id,
                conversation.user_id,
                conversation.kind,
                conversation.status,
                conversation.cursor,
                conversation.message_id,
            ),
        )

    async def set_status(self, conversation_id: int, status: str) -> None:
        await self._store.write(
            "UPDATE chatwoot_conversations SET status = ? WHERE conversation_id = ?",
            (status, conversation_id),
        )

    async def advance_cursor(self, conversation_id: int, message_id: int) -> None:
        await self._store.write(
            "UPDATE chatwoot_conversations SET cursor = MAX(cursor, ?) WHERE conversation_id = ?",
            (message_id, conversation_id),
        )

    async def open_conversations(self) -> list[Conversation]:
        """Conversations not resolved (the reconcile looks for missed messages there)."""

        def query(conn: sqlite3.Connection) -> list[Conversation]:
            rows = conn.execute(
                "SELECT * FROM chatwoot_conversations WHERE status != 'resolved'"
                " ORDER BY conversation_id"
            )
            return [_conversation(r) for r in rows]

        return await self._store.read(query)

    # ---- received messages and threads ---------------------------------------------------

    async def claim(self, entry: ThreadEntry, kind: str, user_id: str, chatwoot_id: int) -> bool:
        """Record a received message; False if this Chatwoot id was recorded before."""
        try:
            await self._store.write(
                "INSERT INTO chatwoot_messages (id, kind, user_id, author, content, attachments,"
                " sender_name, created_at, status, chatwoot_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    kind,
                    user_id,
                    entry.author,
                    entry.content,
                    "\n".join(entry.attachments),
                    entry.sender_name,
                    entry.created_at,
                    entry.status,
                    chatwoot_id,
                ),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    async def known_ids(self, conversation_id: int) -> set[int]:
        """Chatwoot ids of messages we sent or received in a conversation."""

        def query(conn: sqlite3.Connection) -> set[int]:
            rows = conn.execute(
                "SELECT chatwoot_id FROM chatwoot_messages WHERE conversation_id = ?"
                " AND chatwoot_id IS NOT NULL",
                (conversation_id,),
            )
            return {r[0] for r in rows}

        return await self._store.read(query)

    async def thread(self, user_id: str, limit: int) -> list[ThreadEntry]:
        """The newest `limit` messages of a viewer's private thread, oldest first."""

        def query(conn: sqlite3.Connection) -> list[ThreadEntry]:
            rows = conn.execute(
                "SELECT * FROM chatwoot_messages WHERE user_id = ? AND kind IN (?, ?)"
                " ORDER BY seq DESC LIMIT ?",
                (user_id, VIEWER, REPLY, limit),
            ).fetchall()
            return [
                ThreadEntry(
                    id=r["id"],
                    author=r["author"],
                    content=r["content"],
                    attachments=tuple(a for a in r["attachments"].split("\n") if a),
                    created_at=r["created_at"],
                    status=r["status"],
                    sender_name=r["sender_name"],
                )
                for r in reversed(rows)
            ]

        return await self._store.read(query)

    def forget_user(self, user_id: str) -> None:
        """A deleted chat user: their thread, queued messages, contact and conversations go
        (queued writes; Chatwoot keeps its own copy)."""
        for table in ("chatwoot_messages", "chatwoot_contacts", "chatwoot_conversations"):
            self._store.write_nowait(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))

"""Federation state over the Store (migration 8): followers (pending while ``approved_at`` is
NULL, blocked once ``disabled_at`` is set), the inbound activities we accepted (one row per
(object, actor, type)), and the objects we published (``ap_outbox``, Notes as JSON).
Times are Unix seconds."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import trio

from owncastd.core.federation.models import AcceptedActivity, Follower, RemoteProfile
from owncastd.store.database import Store

MAX_LIST = 10_000  # pending / blocked lists and delivery inboxes are bounded
_APPROVED = "approved_at IS NOT NULL AND disabled_at IS NULL"


def _follower(row: sqlite3.Row) -> Follower:
    profile = RemoteProfile(
        iri=row["iri"],
        inbox=row["inbox"],
        shared_inbox=row["shared_inbox"],
        name=row["name"],
        username=row["username"],
        image=row["image"],
    )
    return Follower(
        profile,
        created_at=row["created_at"],
        approved_at=row["approved_at"],
        disabled_at=row["disabled_at"],
        request=row["request"],
        request_iri=row["request_iri"],
    )


class FederationStore:
    """Followers, accepted activities and the outbox (implements FederationRepository)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._activity_lock = trio.Lock()  # check-then-insert stays atomic among our tasks

    # --- followers -------------------------------------------------------------------------

    async def add_follower(
        self, profile: RemoteProfile, request: str, request_iri: str, *, approved: bool, now: float
    ) -> Follower:
        """Store a follow (approved now, or pending); a known follower keeps its approval and
        block but gets the new profile and request. Returns the stored row."""
        await self._store.write(
            """INSERT INTO ap_followers (iri, inbox, shared_inbox, name, username, image,
                   request, request_iri, created_at, approved_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (iri) DO UPDATE SET inbox = excluded.inbox,
                   shared_inbox = excluded.shared_inbox, name = excluded.name,
                   username = excluded.username, image = excluded.image,
                   request = excluded.request, request_iri = excluded.request_iri,
                   approved_at = COALESCE(ap_followers.approved_at, excluded.approved_at)""",
            (
                profile.iri,
                profile.inbox,
                profile.shared_inbox,
                profile.name,
                profile.username,
                profile.image,
                request,
                request_iri,
                now,
                now if approved else None,
            ),
        )
        stored = await self.follower(profile.iri)
        assert stored is not None
        return stored

    async def follower(self, iri: str) -> Follower | None:
        """The row of `iri`, whatever its state."""

        def query(conn: sqlite3.Connection) -> Follower | None:
            row = conn.execute("SELECT * FROM ap_followers WHERE iri = ?", (iri,)).fetchone()
            return _follower(row) if row is not None else None

        return await self._store.read(query)

    async def approve(self, iri: str, now: float) -> Follower | None:
        """Approve a follower (and lift a block); the row as it was before, None if unknown."""
        before = await self.follower(iri)
        if before is not None:
            await self._store.write(
                "UPDATE ap_followers SET approved_at = COALESCE(approved_at, ?),"
                " disabled_at = NULL WHERE iri = ?",
                (now, iri),
            )
        return before

    async def disable(self, iri: str, now: float) -> bool:
        """Block or reject a follower (the row stays, so it cannot follow again)."""
        if await self.follower(iri) is None:
            return False
        await self._store.write("UPDATE ap_followers SET disabled_at = ? WHERE iri = ?", (now, iri))
        return True

    async def remove_follower(self, iri: str) -> bool:
        """Forget a follower (an unfollow, or the admin removing it); False if unknown."""
        if await self.follower(iri) is None:
            return False
        await self._store.write("DELETE FROM ap_followers WHERE iri = ?", (iri,))
        return True

    async def update_profile(self, profile: RemoteProfile) -> bool:
        """Refresh a known follower's inboxes, name, username and avatar (an Update)."""
        if await self.follower(profile.iri) is None:
            return False
        await self._store.write(
            "UPDATE ap_followers SET inbox = ?, shared_inbox = ?, name = ?, username = ?,"
            " image = ? WHERE iri = ?",
            (
                profile.inbox,
                profile.shared_inbox,
                profile.name,
                profile.username,
                profile.image,
                profile.iri,
            ),
        )
        return True

    async def is_blocked(self, iri: str) -> bool:
        """True when `iri` is a follower row with ``disabled_at`` set."""
        follower = await self.follower(iri)
        return follower is not None and follower.disabled_at is not None

    async def followers(self, offset: int = 0, limit: int = 50) -> tuple[int, list[Follower]]:
        """(total, page) of approved, not blocked followers, newest first."""

        def query(conn: sqlite3.Connection) -> tuple[int, list[Follower]]:
            total = conn.execute(f"SELECT COUNT(*) FROM ap_followers WHERE {_APPROVED}")
            rows = conn.execute(
                f"SELECT * FROM ap_followers WHERE {_APPROVED}"
                " ORDER BY created_at DESC, iri LIMIT ? OFFSET ?",
                (limit, offset),
            )
            return int(total.fetchone()[0]), [_follower(row) for row in rows]

        return await self._store.read(query)

    async def follower_count(self) -> int:
        """How many approved, not blocked followers there are."""
        total, _ = await self.followers(0, 0)
        return total

    async def pending(self) -> list[Follower]:
        """Follow requests waiting for approval (private mode), oldest first."""
        return await self._select("approved_at IS NULL AND disabled_at IS NULL ORDER BY created_at")

    async def blocked(self) -> list[Follower]:
        """Blocked or rejected followers, most recently blocked first."""
        return await self._select("disabled_at IS NOT NULL ORDER BY disabled_at DESC")

    async def delivery_inboxes(self) -> list[str]:
        """Where to deliver to every approved follower: the shared inbox when there is one,
        de-duplicated (develop §1.5)."""
        rows = await self._select(f"{_APPROVED} ORDER BY created_at")
        inboxes = (f.profile.shared_inbox or f.profile.inbox for f in rows)
        return list(dict.fromkeys(inbox for inbox in inboxes if inbox))

    async def _select(self, where: str) -> list[Follower]:
        def query(conn: sqlite3.Connection) -> list[Follower]:
            sql = f"SELECT * FROM ap_followers WHERE {where} LIMIT {MAX_LIST}"
            return [_follower(row) for row in conn.execute(sql)]

        return await self._store.read(query)

    # --- accepted activities ---------------------------------------------------------------

    async def add_activity_if_new(self, iri: str, actor: str, kind: str, now: float) -> bool:
        """Record that `actor` did `kind` to `iri`; False when it was recorded before."""
        async with self._activity_lock:

            def query(conn: sqlite3.Connection) -> bool:
                row = conn.execute(
                    "SELECT 1 FROM ap_accepted_activities WHERE iri = ? AND actor = ? AND type = ?",
                    (iri, actor, kind),
                ).fetchone()
                return row is not None

            if await self._store.read(query):
                return False
            await self._store.write(
                "INSERT OR IGNORE INTO ap_accepted_activities (iri, actor, type, timestamp)"
                " VALUES (?, ?, ?, ?)",
                (iri, actor, kind, now),
            )
            return True

    async def activities(self, offset: int, limit: int) -> tuple[int, list[AcceptedActivity]]:
        """(total, page) of accepted activities, newest first."""

        def query(conn: sqlite3.Connection) -> tuple[int, list[AcceptedActivity]]:
            total = conn.execute("SELECT COUNT(*) FROM ap_accepted_activities").fetchone()[0]
            rows = conn.execute(
                "SELECT iri, actor, type, timestamp FROM ap_accepted_activities"
                " ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            )
            found = [AcceptedActivity(r[0], r[1], r[2], r[3]) for r in rows]
            return int(total), found

        return await self._store.read(query)

    # --- outbox ----------------------------------------------------------------------------

    async def add_outbox(
        self, iri: str, value: dict[str, Any], kind: str, now: float, *, live: bool = False
    ) -> None:
        """Keep a published object (a Note) under its IRI."""
        await self._store.write(
            "INSERT OR REPLACE INTO ap_outbox (iri, value, type, created_at, live_notification)"
            " VALUES (?, ?, ?, ?, ?)",
            (iri, json.dumps(value, separators=(",", ":")), kind, now, int(live)),
        )

    async def outbox_object(self, iri: str) -> tuple[dict[str, Any], bool, float] | None:
        """(object, is the go-live post, created_at) of a published object, or None."""

        def query(conn: sqlite3.Connection) -> tuple[dict[str, Any], bool, float] | None:
            row = conn.execute(
                "SELECT value, live_notification, created_at FROM ap_outbox WHERE iri = ?",
                (iri,),
            ).fetchone()
            if row is None:
                return None
            return json.loads(row[0]), bool(row[1]), float(row[2])

        return await self._store.read(query)

    async def outbox_page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Published objects, newest first."""

        def query(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = conn.execute(
                "SELECT value FROM ap_outbox ORDER BY created_at DESC, iri LIMIT ? OFFSET ?",
                (limit, offset),
            )
            return [json.loads(row[0]) for row in rows]

        return await self._store.read(query)

    async def outbox_count(self) -> int:
        """How many objects we published."""

        def query(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT COUNT(*) FROM ap_outbox").fetchone()[0])

        return await self._store.read(query)

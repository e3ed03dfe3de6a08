"""The admin's view of the `users` table (migration 2): paged search and deletion.

Chat users and integration bots share the table (reference §3.2, §7): `type` is `STANDARD` or
`API`, `scopes` is comma-joined (`MODERATOR`, or token scopes), `disabled_at` marks a banned
user. Deleting a user removes their messages; their tokens and linked identities go with the
row (`ON DELETE CASCADE`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from owncastd.core.users import SortOrder, UserStatus
from owncastd.store.database import Store

_STATUS_SQL = {
    "all": "1 = 1",
    "active": "disabled_at IS NULL",
    "moderators": "(',' || scopes || ',') LIKE '%,MODERATOR,%'",
    "banned": "disabled_at IS NOT NULL",
    "bots": "type = 'API'",
}


@dataclass(frozen=True)
class UserRecord:
    """One row of `users`, with the types of its linked identities."""

    id: str
    display_name: str
    display_color: int
    created_at: str
    disabled_at: str | None
    previous_names: tuple[str, ...]
    name_changed_at: str | None
    authenticated_at: str | None
    scopes: tuple[str, ...]
    type: str
    last_used: str | None
    auth_providers: tuple[str, ...]

    @property
    def is_bot(self) -> bool:
        """Integration users are bots."""
        return self.type == "API"


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class UserDirectory:
    """Search and delete users for the admin API."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def search(
        self,
        *,
        offset: int = 0,
        limit: int = 50,
        search: str = "",
        status: UserStatus | None = None,
        sort: SortOrder = "desc",
    ) -> tuple[int, list[UserRecord]]:
        """`(total matching, one page)`, newest first (oldest first with `sort="asc"`)."""
        where: list[str] = []
        params: list[object] = []
        if search:
            where.append("display_name LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(search)}%")
        if status is not None:
            where.append(_STATUS_SQL[status])
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "ASC" if sort == "asc" else "DESC"

        def query(conn: sqlite3.Connection) -> tuple[int, list[UserRecord]]:
            total = conn.execute(f"SELECT COUNT(*) FROM users {clause}", params).fetchone()[0]
            rows = conn.execute(
                f"SELECT * FROM users {clause} ORDER BY created_at {order}, rowid {order} "
                "LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            providers = _auth_providers(conn, [row["id"] for row in rows])
            return int(total), [_record(row, providers.get(row["id"], ())) for row in rows]

        return await self._store.read(query)

    async def get(self, user_id: str) -> UserRecord | None:
        """One user, or None."""

        def query(conn: sqlite3.Connection) -> UserRecord | None:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            return _record(row, _auth_providers(conn, [user_id]).get(user_id, ()))

        return await self._store.read(query)

    async def delete(self, user_id: str) -> bool:
        """Delete a user and their messages; False when there is no such user."""
        if await self.get(user_id) is None:
            return False
        await self._store.write("DELETE FROM messages WHERE user_id = ?", (user_id,))
        await self._store.write("DELETE FROM users WHERE id = ?", (user_id,))
        return True


def _auth_providers(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, ...]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT DISTINCT user_id, type FROM auth WHERE user_id IN ({marks}) ORDER BY type", ids
    ).fetchall()
    out: dict[str, tuple[str, ...]] = {}
    for row in rows:
        out[row["user_id"]] = (*out.get(row["user_id"], ()), row["type"])
    return out


def _record(row: sqlite3.Row, providers: tuple[str, ...]) -> UserRecord:
    return UserRecord(
        id=row["id"],
        display_name=row["display_name"],
        display_color=int(row["display_color"]),
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
        previous_names=_split(row["previous_names"]),
        name_changed_at=row["namechanged_at"],
        authenticated_at=row["authenticated_at"],
        scopes=_split(row["scopes"]),
        type=row["type"],
        last_used=row["last_used"],
        auth_providers=providers,
    )

"""Replay rows over the Store (`replays` table, migration 7). Times are Unix seconds (UTC)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

from owncastd.core.replays.models import Replay
from owncastd.store.database import Store

COLUMNS = (
    "id, title, started_at, ended_at, duration, peak_viewers, variants, size_bytes, published, "
    "thumbnail, mp4"
)


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _seconds(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _replay(row: sqlite3.Row) -> Replay:
    started = _time(row["started_at"])
    assert started is not None
    variants = tuple(int(v) for v in row["variants"].split(",") if v.strip().isdigit())
    return Replay(
        id=row["id"],
        title=row["title"],
        started_at=started,
        ended_at=_time(row["ended_at"]),
        duration=float(row["duration"]),
        peak_viewers=int(row["peak_viewers"]),
        variants=variants,
        size_bytes=int(row["size_bytes"]),
        published=bool(row["published"]),
        thumbnail=bool(row["thumbnail"]),
        mp4=bool(row["mp4"]),
    )


class ReplayStore:
    """Saved replays."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def all(self) -> list[Replay]:
        """Every replay, newest first."""

        def query(conn: sqlite3.Connection) -> list[Replay]:
            rows = conn.execute(f"SELECT {COLUMNS} FROM replays ORDER BY started_at DESC, id")
            return [_replay(row) for row in rows]

        return await self._store.read(query)

    async def get(self, replay_id: str) -> Replay | None:
        """One replay by id."""

        def query(conn: sqlite3.Connection) -> Replay | None:
            row = conn.execute(
                f"SELECT {COLUMNS} FROM replays WHERE id = ?", (replay_id,)
            ).fetchone()
            return None if row is None else _replay(row)

        return await self._store.read(query)

    async def save(self, replay: Replay) -> None:
        """Insert or replace a replay's row."""
        await self._store.write(
            f"INSERT OR REPLACE INTO replays ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                replay.id,
                replay.title,
                _seconds(replay.started_at),
                _seconds(replay.ended_at),
                replay.duration,
                replay.peak_viewers,
                ",".join(str(v) for v in replay.variants),
                replay.size_bytes,
                int(replay.published),
                int(replay.thumbnail),
                int(replay.mp4),
            ),
        )

    async def update(self, replay_id: str, **changes: object) -> Replay | None:
        """Change some fields of a replay; the updated replay (None: no such replay)."""
        current = await self.get(replay_id)
        if current is None:
            return None
        updated = replace(current, **changes)  # type: ignore[arg-type]
        await self.save(updated)
        return updated

    async def delete(self, replay_id: str) -> None:
        """Forget a replay's row."""
        await self._store.write("DELETE FROM replays WHERE id = ?", (replay_id,))

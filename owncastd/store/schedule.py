"""Scheduled events and series over the Store (`schedule_*` tables of migration 5).

Times are Unix seconds (UTC); the service sees aware datetimes. Occurrences are added only
for slots the series has never had, so materialising again changes nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from owncastd.core.schedule.models import CANCELLED, SCHEDULED, ScheduledEvent, ScheduledSeries
from owncastd.store.database import Store

EVENT_COLUMNS = (
    "id, series_id, name, description, reminder_message, start_time, duration_minutes, "
    "timezone, status, slot, federated, warned"
)


def _time(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _seconds(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _event(row: sqlite3.Row) -> ScheduledEvent:
    start = _time(row["start_time"])
    assert start is not None
    return ScheduledEvent(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        start=start,
        duration_minutes=int(row["duration_minutes"]),
        timezone=row["timezone"],
        status=CANCELLED if row["status"] == CANCELLED else SCHEDULED,
        series_id=row["series_id"],
        reminder_message=row["reminder_message"],
        slot=_time(row["slot"]),
        federated=bool(row["federated"]),
        warned=bool(row["warned"]),
    )


def _series(row: sqlite3.Row) -> ScheduledSeries:
    return ScheduledSeries(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        recurrence=row["recurrence"],
        duration_minutes=int(row["duration_minutes"]),
        active=bool(row["active"]),
        reminder_message=row["reminder_message"],
    )


def _event_params(event: ScheduledEvent) -> tuple[object, ...]:
    return (
        event.id,
        event.series_id,
        event.name,
        event.description,
        event.reminder_message,
        _seconds(event.start),
        event.duration_minutes,
        event.timezone,
        event.status,
        _seconds(event.slot),
        int(event.federated),
        int(event.warned),
    )


class ScheduleStore:
    """The :class:`owncastd.core.schedule.service.ScheduleRepository` over SQLite."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def _events(self, where: str, params: tuple[object, ...]) -> list[ScheduledEvent]:
        sql = f"SELECT {EVENT_COLUMNS} FROM schedule_events WHERE {where}"

        def query(conn: sqlite3.Connection) -> list[ScheduledEvent]:
            return [_event(row) for row in conn.execute(sql, params)]

        return await self._store.read(query)

    async def events_between(self, start: datetime, end: datetime) -> list[ScheduledEvent]:
        """Events starting in `[start, end]`, by start."""
        where = "start_time BETWEEN ? AND ? ORDER BY start_time, id"
        return await self._events(where, (_seconds(start), _seconds(end)))

    async def next_current(self, now: datetime) -> ScheduledEvent | None:
        """The earliest event not cancelled whose end is after `now`."""
        where = (
            "status = 'scheduled' AND start_time + duration_minutes * 60 > ? "
            "ORDER BY start_time, id LIMIT 1"
        )
        found = await self._events(where, (_seconds(now),))
        return found[0] if found else None

    async def event(self, event_id: str) -> ScheduledEvent | None:
        """One event by id."""
        found = await self._events("id = ?", (event_id,))
        return found[0] if found else None

    async def series(self, series_id: str) -> ScheduledSeries | None:
        """One series by id."""
        found = [s for s in await self.all_series() if s.id == series_id]
        return found[0] if found else None

    async def all_series(self) -> list[ScheduledSeries]:
        """Every series, by name."""

        def query(conn: sqlite3.Connection) -> list[ScheduledSeries]:
            rows = conn.execute("SELECT * FROM schedule_series ORDER BY name, id")
            return [_series(row) for row in rows]

        return await self._store.read(query)

    async def save_event(self, event: ScheduledEvent) -> None:
        """Insert or replace an event."""
        await self._store.write(
            f"INSERT OR REPLACE INTO schedule_events ({EVENT_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _event_params(event),
        )

    async def save_series(self, series: ScheduledSeries) -> None:
        """Insert or replace a series."""
        await self._store.write(
            "INSERT OR REPLACE INTO schedule_series (id, name, description, reminder_message, "
            "recurrence, duration_minutes, active) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                series.id,
                series.name,
                series.description,
                series.reminder_message,
                series.recurrence,
                series.duration_minutes,
                int(series.active),
            ),
        )

    async def add_occurrences(self, events: list[ScheduledEvent]) -> None:
        """Add the occurrences whose (series, slot) is not stored yet."""
        series_ids = {e.series_id for e in events}

        def query(conn: sqlite3.Connection) -> set[tuple[str, int]]:
            marks = ",".join("?" * len(series_ids))
            rows = conn.execute(
                f"SELECT series_id, slot FROM schedule_events WHERE series_id IN ({marks})",
                tuple(series_ids),
            )
            return {(row["series_id"], row["slot"]) for row in rows}

        known = await self._store.read(query)
        for event in events:
            if (event.series_id, _seconds(event.slot)) not in known:
                await self._store.write(
                    f"INSERT OR IGNORE INTO schedule_events ({EVENT_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _event_params(event),
                )

    async def delete_event(self, event_id: str) -> None:
        """Remove an event."""
        await self._store.write("DELETE FROM schedule_events WHERE id = ?", (event_id,))

    async def delete_series(self, series_id: str) -> None:
        """Remove a series (its past occurrences stay)."""
        await self._store.write("DELETE FROM schedule_series WHERE id = ?", (series_id,))

    async def delete_future_occurrences(
        self, series_id: str, after: datetime, *, keep_changed: bool
    ) -> None:
        """Remove the series' occurrences after `after` that were never federated; with
        `keep_changed`, also keep the cancelled and moved ones (a regeneration never
        recreates them)."""
        changed = " AND status = 'scheduled' AND start_time = slot" if keep_changed else ""
        await self._store.write(
            "DELETE FROM schedule_events WHERE series_id = ? AND start_time > ? "
            f"AND federated = 0{changed}",
            (series_id, _seconds(after)),
        )

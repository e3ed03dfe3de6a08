"""Stream stats (connect times, viewer peaks) kept in the `datastore` table."""

from __future__ import annotations

import json
from datetime import datetime

from owncastd.core.stream import StreamStats
from owncastd.store.database import Store
from owncastd.store.datastore import Datastore

STATS_KEY = "stream_stats"


def _encode(stats: StreamStats) -> str:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return json.dumps(
        {
            "last_connect_time": iso(stats.last_connect_time),
            "last_disconnect_time": iso(stats.last_disconnect_time),
            "session_peak_viewers": stats.session_peak_viewers,
            "overall_peak_viewers": stats.overall_peak_viewers,
        }
    )


def _decode(text: str) -> StreamStats:
    data = json.loads(text)

    def when(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if value else None

    return StreamStats(
        last_connect_time=when("last_connect_time"),
        last_disconnect_time=when("last_disconnect_time"),
        session_peak_viewers=int(data.get("session_peak_viewers", 0)),
        overall_peak_viewers=int(data.get("overall_peak_viewers", 0)),
    )


class StatsRepository:
    """Loads and saves :class:`StreamStats`; `save_stats` is the core's `StatsSink`."""

    def __init__(self, store: Store) -> None:
        self._values = Datastore(store)

    async def load(self) -> StreamStats:
        """The saved stats, or empty ones on a fresh database."""
        text = await self._values.get(STATS_KEY)
        return _decode(text) if text is not None else StreamStats()

    def save_stats(self, stats: StreamStats) -> None:
        """Queue the stats for the writer task."""
        self._values.put_nowait(STATS_KEY, _encode(stats))

"""SQLite store: migrations, group commit, failures isolated per job, stats round trip."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import trio

from owncastd.core.stream import StreamStats
from owncastd.store.database import Store
from owncastd.store.migrations import MIGRATIONS
from owncastd.store.stats import StatsRepository


async def test_migrates_and_commits_concurrent_writes(tmp_path):
    store = Store(tmp_path / "owncast.db")
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)

        async def put(i: int) -> None:
            await store.write("INSERT INTO datastore (key, value) VALUES (?, ?)", (f"k{i}", "v"))

        async with trio.open_nursery() as writers:
            for i in range(200):
                writers.start_soon(put, i)
        count = await store.read(lambda c: c.execute("SELECT count(*) FROM datastore").fetchone())
        assert count[0] == 200
        nursery.cancel_scope.cancel()
    conn = sqlite3.connect(tmp_path / "owncast.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_one_failing_write_does_not_undo_its_batch(tmp_path):
    store = Store(tmp_path / "owncast.db")
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        store.write_nowait("INSERT INTO datastore (key, value) VALUES ('a', '1')")
        with pytest.raises(sqlite3.IntegrityError):
            await store.write("INSERT INTO datastore (key, value) VALUES ('a', '2')")
        await store.write("INSERT INTO datastore (key, value) VALUES ('b', '3')")
        rows = await store.read(
            lambda c: c.execute("SELECT key, value FROM datastore ORDER BY key").fetchall()
        )
        assert [tuple(r) for r in rows] == [("a", "1"), ("b", "3")]
        nursery.cancel_scope.cancel()


async def test_stats_survive_a_restart_and_pending_writes_are_flushed(tmp_path):
    stats = StreamStats(
        last_connect_time=datetime(2026, 1, 1, tzinfo=UTC),
        last_disconnect_time=None,
        session_peak_viewers=4,
        overall_peak_viewers=12,
    )
    for round_ in range(2):
        store = Store(tmp_path / "owncast.db")
        async with trio.open_nursery() as nursery:
            await nursery.start(store.run)
            repo = StatsRepository(store)
            if round_ == 0:
                assert await repo.load() == StreamStats()
                repo.save_stats(stats)  # queued; must be flushed on cancel
            else:
                assert await repo.load() == stats
            nursery.cancel_scope.cancel()


async def test_a_read_running_at_shutdown_finishes_before_the_connection_closes(tmp_path):
    # A read's task can live in another nursery than the store: stopping the store while the
    # read runs on a worker thread closed the connection under it (a segfault in CI).
    import threading

    store = Store(tmp_path / "owncast.db")
    started, release = threading.Event(), threading.Event()

    def slow_query(conn: sqlite3.Connection) -> int:
        started.set()
        release.wait(10)
        return int(conn.execute("SELECT COUNT(*) FROM datastore").fetchone()[0])

    results: list[int] = []

    async def reader() -> None:
        results.append(await store.read(slow_query))

    async with trio.open_nursery() as readers, trio.open_nursery() as stores:
        await stores.start(store.run)
        readers.start_soon(reader)
        await trio.to_thread.run_sync(started.wait)
        stores.cancel_scope.cancel()  # the store stops while the read is on its thread
        readers.start_soon(trio.to_thread.run_sync, release.set)
    assert results == [0]
    with pytest.raises(sqlite3.ProgrammingError, match="not open"):
        await store.read(slow_query)

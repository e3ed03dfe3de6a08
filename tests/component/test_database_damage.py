"""A database damaged under a running daemon (issue 16, finding 12): reads fail, and the
store remembers it so the health probe names the database instead of answering ok."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from owncastd.ops.health import Health, database_check
from owncastd.store.database import Store, _connect, migrate
from owncastd.store.integrity import DatabaseDamagedError


def healthy_database(path: Path) -> None:
    conn = _connect(path)
    migrate(conn)
    conn.execute("INSERT INTO users (id, display_name, created_at) VALUES ('u1', 'ann', 'now')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def scribble_table(path: Path, table: str) -> None:
    with sqlite3.connect(path) as conn:
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        root = page.fetchone()[0]
    with path.open("r+b") as file:
        file.seek((root - 1) * 4096)
        file.write(random.Random(16).randbytes(4096))


def users(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM users").fetchall()


async def test_damage_met_by_a_read_is_kept_and_named_by_health(tmp_path, nursery):
    path = tmp_path / "owncast.db"
    healthy_database(path)
    store = Store(path)
    await nursery.start(store.run)
    health = Health(lambda: store.read(lambda conn: conn.execute("SELECT 1").fetchone()))
    health.add_check("database", database_check(lambda: store.damage))
    for part in ("http", "rtmp", "store"):
        health.set_up(part, True)
    assert await store.read(lambda c: c.execute("SELECT count(*) FROM datastore").fetchone())
    assert store.damage is None
    assert (await health.report()).status == "ok"

    scribble_table(path, "users")
    with pytest.raises(sqlite3.DatabaseError):
        await store.read(users)
    assert store.damage is not None and "malformed" in store.damage
    await store.read(lambda conn: conn.execute("SELECT 1").fetchone())  # other reads work...
    report = await health.report()
    assert report.status != "ok"  # ...but the damage stays reported
    assert any(p.startswith("database: damaged") for p in report.problems), report


async def test_a_damaged_database_is_refused_at_open(tmp_path, nursery):
    path = tmp_path / "owncast.db"
    healthy_database(path)
    intact = tmp_path / "intact" / "owncast.db"  # the same database, not scribbled on, opens
    intact.parent.mkdir()
    healthy_database(intact)
    await nursery.start(Store(intact, backup_dir=tmp_path / "intact" / "backup").run)
    scribble_table(path, "users")
    with pytest.raises(DatabaseDamagedError, match=r"damaged.*owncastd restore"):
        await nursery.start(Store(path, backup_dir=tmp_path / "backup").run)

"""A really full disk (a 16 MB tmpfs): the store and the disk monitor degrade, never crash, and
recover when space comes back; the database stays intact."""

from __future__ import annotations

import logging
import sqlite3

import trio

from owncastd.ops.disk import DiskMonitor
from owncastd.ops.health import Health
from owncastd.store.database import Store
from tests.component.tmpfs import TinyFs, tiny_fs_fixture  # noqa: F401 (fixture)

ROW = "INSERT INTO messages (id, user_id, body, eventType, timestamp) VALUES (?, ?, ?, ?, ?)"


def message(index: int, size: int = 1000) -> tuple:
    return (f"m{index}", "u1", "x" * size, "CHAT", f"2026-01-01T00:00:{index % 60:02d}Z")


async def count(store: Store) -> int:
    return await store.read(
        lambda conn: conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    )


async def test_store_degrades_on_a_full_disk_and_recovers(tiny_fs: TinyFs, nursery, caplog):
    caplog.set_level(logging.DEBUG, logger="owncastd.store")
    store = Store(tiny_fs.root / "owncast.db")
    await nursery.start(store.run)
    for index in range(50):
        await store.write(*_row(index))
    tiny_fs.fill()
    failures = 0
    for index in range(50, 2000):
        try:
            await store.write(*_row(index, size=20_000))
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
            failures += 1
            if failures >= 3:
                break
    assert failures >= 3
    assert store.write_failure is not None and "full" in store.write_failure
    saved = await count(store)  # reads still work
    assert saved >= 50
    store.write_nowait(*_row(99_999))  # a fire-and-forget write fails quietly too
    with trio.fail_after(5):
        while "database write failed" not in caplog.text:  # noqa: ASYNC110 — a log line
            await trio.sleep(0.01)
    quiet = [r.levelno for r in caplog.records if "database write failed" in r.getMessage()]
    assert quiet == [logging.DEBUG]  # logged once at DEBUG: the ERROR was "writes failing"
    assert "database writes failing" in caplog.text

    tiny_fs.free()
    await store.write(*_row(100_000))
    assert store.write_failure is None and "database writes succeed again" in caplog.text
    assert await count(store) == saved + 1
    check = await store.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0])
    assert check == "ok"


def _row(index: int, size: int = 1000) -> tuple[str, tuple]:
    return ROW, message(index, size)


async def test_disk_monitor_sees_space_and_write_failures(tiny_fs: TinyFs):
    health = Health(notify=lambda _: None)
    dirs = {"video": tiny_fs.root / "hls", "database": tiny_fs.root}
    monitor = DiskMonitor(health, dirs)
    assert monitor.check() == []

    tiny_fs.fill(leave_bytes=1024 * 1024)  # 1 MB of 16: nearly full, still writable
    findings = monitor.check()
    assert [f.key for f in findings] == ["space:video"]
    assert "disk nearly full: video" in findings[0].message and "MB free" in findings[0].message

    tiny_fs.fill()  # completely full
    findings = monitor.check()
    keys = sorted(f.key for f in findings)
    assert keys == ["space:video", "write:database", "write:video"]
    assert any("No space left on device" in f.message for f in findings)
    monitor.update(findings, now=0)
    assert len(health.reasons()) == 3

    tiny_fs.free()
    monitor.update(monitor.check(), now=60)
    assert health.reasons() == []

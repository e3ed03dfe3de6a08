"""Backup archives: a consistent copy of a live database, the config and the uploaded files;
restores that verify everything first and keep what they replace."""

from __future__ import annotations

import io
import itertools
import json
import shutil
import sqlite3
import stat
import tarfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trio
import trio.lowlevel
import trio.testing

from owncastd.ops.backup import (
    BackupError,
    BackupSources,
    commit_restore,
    create_backup,
    stage_restore,
)
from owncastd.ops.backup_schedule import (
    FIRST_DELAY,
    INTERVAL,
    BackupScheduler,
    automatic_backups,
    first_delay,
    prune,
)
from owncastd.ops.health import Health
from owncastd.store.database import _connect, migrate

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
CONFIG = '[server]\nname = "Backed up"\n'


def make_data(root: Path, *, chat: str = "hello") -> BackupSources:
    """A data directory with chat rows, a token, a config, emoji, public files and a logo."""
    data = root / "data"
    data.mkdir(parents=True)
    conn = _connect(data / "owncast.db")
    migrate(conn)
    conn.execute("INSERT INTO users (id, display_name, created_at) VALUES ('u1', 'ann', 'now')")
    conn.execute("INSERT INTO user_access_tokens VALUES ('token-abc', 'u1', 'now')")
    conn.execute(
        "INSERT INTO messages (id, user_id, body, eventType, timestamp) "
        "VALUES ('m1', 'u1', ?, 'CHAT', 'now')",
        (chat,),
    )
    conn.close()
    (data / "owncast.toml").write_text(CONFIG)
    (data / "emoji" / "party").mkdir(parents=True)
    (data / "emoji" / "party" / "tada.gif").write_bytes(b"GIF89a-tada")
    (data / "public").mkdir()
    (data / "public" / "rules.txt").write_text("be nice")
    (data / "logo.png").write_bytes(b"\x89PNG-logo")
    return BackupSources(
        database=data / "owncast.db", config=data / "owncast.toml", data_dir=data, logo="logo.png"
    )


def rows(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        return [
            *conn.execute("SELECT id, display_name FROM users"),
            *conn.execute("SELECT token, user_id FROM user_access_tokens"),
            *conn.execute("SELECT id, body FROM messages"),
        ]


def test_round_trip_through_a_wiped_data_directory(tmp_path):
    sources = make_data(tmp_path)
    archive = create_backup(sources, tmp_path / "backups", now=NOW)
    assert archive.name == "owncastd-backup-20260501T120000Z.tar.gz"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds secrets
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert set(manifest["files"]) == {
        "owncast.db",
        "owncast.toml",
        "data/emoji/party/tada.gif",
        "data/public/rules.txt",
        "data/logo.png",
    }
    assert manifest["schemaVersion"] >= 3 and manifest["format"] == "owncastd-backup"

    expected = rows(sources.database)
    shutil.rmtree(sources.data_dir)
    data = sources.data_dir
    staged = stage_restore(archive, data)
    aside = commit_restore(
        staged,
        config_path=data / "owncast.toml",
        database_path=data / "owncast.db",
        data_dir=data,
        now=NOW,
    )
    assert aside is None  # nothing was there to replace
    assert rows(data / "owncast.db") == expected
    assert (data / "owncast.toml").read_text() == CONFIG
    assert (data / "emoji" / "party" / "tada.gif").read_bytes() == b"GIF89a-tada"
    assert (data / "public" / "rules.txt").read_text() == "be nice"
    assert (data / "logo.png").read_bytes() == b"\x89PNG-logo"
    assert sorted(p.name for p in data.iterdir()) == [
        "emoji",
        "logo.png",
        "owncast.db",
        "owncast.toml",
        "public",
    ]  # the staging directory is gone


def test_restore_keeps_what_it_replaces(tmp_path):
    old = make_data(tmp_path / "old", chat="before")
    archive = create_backup(old, tmp_path / "b.tar.gz", now=NOW)
    current = make_data(tmp_path / "current", chat="after")
    (current.data_dir / "owncast.db-wal").write_bytes(b"stale wal")  # must not survive
    (current.data_dir / "public" / "new.txt").write_text("added later")
    staged = stage_restore(archive, current.data_dir)
    aside = commit_restore(
        staged,
        config_path=current.config,
        database_path=current.database,
        data_dir=current.data_dir,
        now=NOW,
    )
    assert aside == current.data_dir / "pre-restore-20260501T120000Z"
    assert ("m1", "before") in rows(current.database)
    assert not (current.data_dir / "owncast.db-wal").exists()
    assert (aside / "owncast.db-wal").read_bytes() == b"stale wal"
    assert ("m1", "after") in rows(aside / "owncast.db")
    assert not (current.data_dir / "public" / "new.txt").exists()
    assert (aside / "data" / "public" / "new.txt").read_text() == "added later"


def test_a_live_database_is_copied_consistently(tmp_path):
    sources = make_data(tmp_path)
    stop = threading.Event()

    def writer() -> None:
        conn = _connect(sources.database)
        index = 0
        while not stop.is_set():
            index += 1
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO messages (id, user_id, body, eventType, timestamp) "
                "VALUES (?, 'u1', 'x', 'CHAT', 'now')",
                (f"w{index}",),
            )
            conn.execute(
                "INSERT INTO messages (id, user_id, body, eventType, timestamp) "
                "VALUES (?, 'u1', 'y', 'CHAT', 'now')",
                (f"v{index}",),
            )
            conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = [create_backup(sources, tmp_path / f"b{i}.tar.gz", now=NOW) for i in range(5)]
    finally:
        stop.set()
        thread.join()
    for index, archive in enumerate(archives):
        staged = stage_restore(archive, tmp_path / f"check{index}")  # integrity-checked
        with sqlite3.connect(staged.database) as conn:
            pairs = conn.execute(
                "SELECT count(*) FROM messages WHERE id LIKE 'w%' OR id LIKE 'v%'"
            ).fetchone()[0]
        staged.discard()
        assert pairs % 2 == 0  # transactions are never split by the copy


def tamper(archive: Path, target: Path, edit) -> Path:
    """Copy `archive` to `target`, passing each (name, bytes) through `edit`."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            for name, payload in edit(member.name, data):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                dst.addfile(info, io.BytesIO(payload))
    return target


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda n, d: [(n, d[:-1] + b"?" if n == "owncast.toml" else d)],
            "owncast.toml is missing or damaged",
        ),
        (
            lambda n, d: [(n, d)] + ([("../escape.txt", b"x")] if n == "owncast.toml" else []),
            "files not in the manifest",
        ),
        (lambda n, d: [] if n == "manifest.json" else [(n, d)], "not an owncastd backup"),
        (lambda n, d: [] if n == "owncast.db" else [(n, d)], "owncast.db is missing"),
    ],
)
def test_a_damaged_archive_changes_nothing(tmp_path, edit, message):
    sources = make_data(tmp_path)
    archive = create_backup(sources, tmp_path / "good.tar.gz", now=NOW)
    bad = tamper(archive, tmp_path / "bad.tar.gz", edit)
    before = sorted(p.relative_to(sources.data_dir) for p in sources.data_dir.rglob("*"))
    with pytest.raises(BackupError, match=message):
        stage_restore(bad, sources.data_dir)
    after = sorted(p.relative_to(sources.data_dir) for p in sources.data_dir.rglob("*"))
    assert after == before
    assert not (tmp_path / "escape.txt").exists()


def test_manifest_paths_outside_the_data_dir_are_refused(tmp_path):
    sources = make_data(tmp_path)
    archive = create_backup(sources, tmp_path / "good.tar.gz", now=NOW)

    def edit(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["data/../../evil"] = {"sha256": "0", "size": 1}
            return [(name, json.dumps(manifest).encode()), ("data/../../evil", b"x")]
        return [(name, data)]

    bad = tamper(archive, tmp_path / "bad.tar.gz", edit)
    with pytest.raises(BackupError, match="unexpected path"):
        stage_restore(bad, sources.data_dir)
    # The control: the same archive copied without the edit stages fine.
    copied = tamper(archive, tmp_path / "copy.tar.gz", lambda name, data: [(name, data)])
    staged = stage_restore(copied, sources.data_dir)
    assert staged.database.is_file()
    staged.discard()


def test_no_database_is_a_clear_error(tmp_path):
    sources = BackupSources(
        database=tmp_path / "none.db", config=tmp_path / "c.toml", data_dir=tmp_path
    )
    with pytest.raises(BackupError, match="no database at"):
        create_backup(sources, tmp_path / "out", now=NOW)
    assert not (tmp_path / "none.db").exists()
    assert list((tmp_path / "out").iterdir()) == []  # nothing partial is left


def test_prune_keeps_the_newest_automatic_archives_only(tmp_path):
    for day in range(10):
        name = (NOW + timedelta(days=day)).strftime("owncastd-auto-%Y%m%dT%H%M%SZ.tar.gz")
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "owncastd-backup-20200101T000000Z.tar.gz").write_bytes(b"")  # manual: kept
    removed = prune(tmp_path, keep=7)
    assert len(removed) == 3
    remaining = [when for when, _ in automatic_backups(tmp_path)]
    assert remaining == [NOW + timedelta(days=d) for d in range(3, 10)]
    assert (tmp_path / "owncastd-backup-20200101T000000Z.tar.gz").exists()


def test_first_backup_waits_unless_the_last_one_is_old(tmp_path):
    assert first_delay(tmp_path, NOW) == FIRST_DELAY
    (tmp_path / "owncastd-auto-20260501T060000Z.tar.gz").write_bytes(b"")
    assert first_delay(tmp_path, NOW) == timedelta(hours=18)
    assert first_delay(tmp_path, NOW + timedelta(days=3)) == FIRST_DELAY


async def test_daily_backups_keep_the_last_seven(tmp_path, mock_clock):
    sources = make_data(tmp_path)
    backups = tmp_path / "backups"
    health = Health(notify=lambda _: None)
    scheduler = BackupScheduler(
        lambda: sources,
        backups,
        health,
        clock=lambda: NOW + timedelta(seconds=trio.current_time()),
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(scheduler.run)
        for made in range(1, 11):
            await trio.testing.wait_all_tasks_blocked()
            mock_clock.jump((FIRST_DELAY if made == 1 else INTERVAL).total_seconds())
            deadline = time.monotonic() + 10
            # The archive is written on a worker thread, which the mock clock does not see.
            while scheduler.made < made and time.monotonic() < deadline:
                await trio.lowlevel.checkpoint()
            assert scheduler.made == made
        nursery.cancel_scope.cancel()
    archives = automatic_backups(backups)
    assert len(archives) == 7
    gaps = {later - earlier for (earlier, _), (later, _) in itertools.pairwise(archives)}
    assert gaps == {INTERVAL}


async def test_a_failed_backup_degrades_health_and_retries(tmp_path, autojump_clock):
    sources = BackupSources(
        database=tmp_path / "missing.db", config=tmp_path / "c.toml", data_dir=tmp_path
    )
    health = Health(notify=lambda _: None)
    scheduler = BackupScheduler(lambda: sources, tmp_path / "backups", health)
    assert not await scheduler.backup_now()
    assert health.reasons()[0].startswith("backup: the last automatic backup failed (no database")
    sources = make_data(tmp_path / "fixed")
    scheduler._sources = lambda: sources
    assert await scheduler.backup_now()
    assert health.reasons() == []

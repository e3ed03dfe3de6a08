"""SQLite in WAL mode behind one writer task with group commit.

Writes are queued as small jobs; the writer takes every job waiting, runs them in one
transaction on a worker thread and then wakes their callers. Reads run on a worker thread with
their own connection, so they never wait for the writer. Schema changes are numbered
migrations tracked with `PRAGMA user_version`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import trio

from owncastd.errors import StartupError
from owncastd.store.integrity import DatabaseDamagedError, damaged_message, is_damage, quick_check
from owncastd.store.migrations import MIGRATIONS
from owncastd.store.token_hash import register_digest_function

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 512
QUEUE_SIZE = 4096


@dataclass
class _Job:
    sql: str
    params: Sequence[Any] | dict[str, Any]
    done: trio.Event | None = None
    error: BaseException | None = field(default=None)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    register_digest_function(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's `user_version`; return the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version, script in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        log.info("database migration version=%d", version)
        conn.execute("BEGIN")
        try:
            for statement in script:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version
    return int(current)


def _open_checked(path: Path, backup_dir: Path | None) -> sqlite3.Connection:
    """The writer connection, integrity-checked and migrated (DatabaseDamagedError if not)."""
    conn: sqlite3.Connection | None = None
    try:
        conn = _connect(path)
        started = time.monotonic()
        quick_check(conn)
        log.info("database checked path=%s seconds=%.2f", path, time.monotonic() - started)
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if is_damage(exc) or type(exc) is sqlite3.DatabaseError:  # (quick_check's own)
            raise DatabaseDamagedError(damaged_message(path, exc, backup_dir)) from None
        raise StartupError(f"{path}: cannot open the database ({exc})") from None
    return conn


class Store:
    """The daemon's SQLite database: one writer task, thread-pooled reads.

    `run()` refuses a damaged database (DatabaseDamagedError, naming `backup_dir` for the
    restore); `damage` then says why reads or writes hit a damaged or unreadable file.
    """

    def __init__(self, path: Path, *, backup_dir: Path | None = None) -> None:
        self.path = path
        self._backup_dir = backup_dir
        self._send, self._receive = trio.open_memory_channel[_Job](QUEUE_SIZE)
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._read_lock = trio.Lock()
        # Why writes are failing now (disk full, I/O error), or None while they succeed.
        self.write_failure: str | None = None
        # The first damage (a corrupt page, not a database) a read or write hit;
        # it stays until restart: damage does not heal.
        self.damage: str | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Open the database, migrate it, then commit queued writes until cancelled."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await trio.to_thread.run_sync(_open_checked, self.path, self._backup_dir)
        try:
            self._reader = await trio.to_thread.run_sync(_connect, self.path)
            task_status.started()
            await self._write_loop()
        finally:
            with trio.move_on_after(10, shield=True):
                await self._drain()
                # A read may still be running on a worker thread (its task in another nursery):
                # closing the connection under it would crash the process, so wait for it.
                async with self._read_lock:
                    reader, self._reader = self._reader, None
                    if reader is not None:
                        reader.close()
            self._writer.close()

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
        """Queue a write and wait until it is committed (raises what SQLite raised)."""
        job = _Job(sql, params, trio.Event())
        await self._send.send(job)
        assert job.done is not None
        await job.done.wait()
        if job.error is not None:
            raise job.error

    def write_nowait(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
        """Queue a write without waiting; failures are logged. Drops (logged) when full."""
        try:
            self._send.send_nowait(_Job(sql, params))
        except trio.WouldBlock:
            log.error("database write queue full; dropping a write")

    async def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run `query(connection)` on a worker thread with the read connection."""
        async with self._read_lock:
            reader = self._reader  # taken under the lock: closing takes it too
            if reader is None:
                raise sqlite3.ProgrammingError("the database is not open (Store.run not running)")
            try:
                return await trio.to_thread.run_sync(query, reader)
            except sqlite3.DatabaseError as exc:
                self._note_damage(exc)
                raise

    def _note_damage(self, error: BaseException | None) -> None:
        if is_damage(error) and self.damage is None:
            self.damage = str(error)
            log.error("database damaged error=%s (restore a backup: owncastd restore)", error)

    async def _write_loop(self) -> None:
        while True:
            first = await self._receive.receive()
            # Once a job is taken off the queue it must be committed, even if we are cancelled.
            with trio.CancelScope(shield=True):
                await self._commit(self._take_batch(first))

    def _take_batch(self, first: _Job) -> list[_Job]:
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._receive.receive_nowait())
            except trio.WouldBlock:
                break
        return batch

    async def _drain(self) -> None:
        while True:
            try:
                first = self._receive.receive_nowait()
            except trio.WouldBlock:
                return
            await self._commit(self._take_batch(first))

    async def _commit(self, batch: list[_Job]) -> None:
        writer = self._writer
        assert writer is not None
        await trio.to_thread.run_sync(_run_batch, writer, batch)
        self._note_write_health(batch)
        for job in batch:
            if job.done is not None:
                job.done.set()
            elif job.error is not None:
                # Storage failures are logged once when they start (see _note_write_health).
                level = logging.DEBUG if _storage_failure(job.error) else logging.ERROR
                log.log(level, "database write failed error=%s", job.error)

    def _note_write_health(self, batch: list[_Job]) -> None:
        """Track storage failures (not a caller's bad SQL or constraint) for the health probe."""
        failure = next((job.error for job in batch if _storage_failure(job.error)), None)
        self._note_damage(failure)
        if failure is not None and self.write_failure is None:
            log.error("database writes failing error=%s (degraded: not saving data)", failure)
        elif failure is None and self.write_failure is not None:
            log.info("database writes succeed again")
        if failure is not None:
            self.write_failure = str(failure)
        elif any(job.error is None for job in batch):
            self.write_failure = None


_CALLER_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.ProgrammingError,
    sqlite3.DataError,
    sqlite3.InterfaceError,
    sqlite3.NotSupportedError,
)


def _storage_failure(error: BaseException | None) -> bool:
    """True for errors of the database or disk (full, I/O, corrupt), not of the statement."""
    return error is not None and not isinstance(error, _CALLER_ERRORS)


def _run_batch(conn: sqlite3.Connection, batch: list[_Job]) -> None:
    """Run every job in one transaction; a failing job is rolled back alone via a savepoint.

    Never raises: when the transaction itself fails (disk full, I/O error), every job carries
    the error and the writer keeps serving.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        for job in batch:
            conn.execute("SAVEPOINT job")
            try:
                conn.execute(job.sql, job.params)
                conn.execute("RELEASE job")
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                job.error = exc
        conn.execute("COMMIT")
    except Exception as exc:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        for job in batch:
            job.error = job.error or exc

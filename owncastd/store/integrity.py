"""A damaged database is refused at start and reported while running.

At start the daemon opens `owncast.db` and runs `PRAGMA quick_check` before migrating: a file
that is not a database (a destroyed header) or has damaged pages stops the start with one line
saying how to restore a backup, instead of a traceback or a daemon whose chat answers 500. While
running, reads and writes that hit damage are recorded (`Store.damage`) so the
health probe names the database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from owncastd.errors import StartupError

# SQLite result codes (`sqlite_errorname`) that mean the file is damaged (I/O errors and a full
# disk pass: writes recover from them, see Store.write_failure).
DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
QUICK_CHECK_ROWS = 5
ARCHIVES = (".tar.gz", ".tgz")  # what `owncastd backup` writes (ops/backup.py)


class DatabaseDamagedError(StartupError):
    """The database cannot be opened or failed its integrity check."""


def is_damage(error: BaseException | None) -> bool:
    """True for errors saying the database file is damaged or unreadable."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return isinstance(error, sqlite3.DatabaseError) and name.startswith(DAMAGE_CODES)


def quick_check(conn: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError when `PRAGMA quick_check` finds problems."""
    rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_ROWS})").fetchall()
    problems = [str(row[0]) for row in rows]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError("; ".join(problems))


def newest_backup(backup_dir: Path | None) -> Path | None:
    """The most recent archive in `backup_dir`, if any."""
    if backup_dir is None or not backup_dir.is_dir():
        return None
    archives = [p for p in backup_dir.iterdir() if p.is_file() and p.name.endswith(ARCHIVES)]
    return max(archives, key=lambda p: p.stat().st_mtime, default=None)


def damaged_message(path: Path, error: BaseException, backup_dir: Path | None) -> str:
    """One line: what is wrong with the database and how to restore a backup."""
    newest = newest_backup(backup_dir)
    where = f"backups are in {backup_dir}" if backup_dir is not None else "see owncastd backup"
    archive = str(newest) if newest is not None else "ARCHIVE"
    found = f" (newest: {newest.name})" if newest is not None else ""
    return (
        f"{path}: the database is damaged ({error}); owncastd will not start on it. "
        f"Restore a backup with `owncastd restore {archive}` (bin/owncastd from a clone, with "
        f"the daemon's --data-dir/--config); {where}{found}. Or move the file aside to start "
        "with an empty database."
    )

"""Private files: the daemon's data is readable by its own user only.

The database holds chat history, webhook secrets (kept in clear: they sign deliveries) and
token digests; logs, backups and the config hold more. `restrict_new_files()` sets the process
umask to 077 at start, so everything the daemon and its ffmpeg children create is 0600 (files)
or 0700 (directories): the database and its WAL/SHM, logs, HLS output, thumbnails, backups,
the config. HLS and public files are served by the daemon itself, so no other user needs them.
`tighten_data_files()` fixes a data directory and database that an older version (or a
0022 umask) left open to other users, and logs what it changed.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def restrict_new_files() -> None:
    """From now on, this process creates files 0600 and directories 0700."""
    os.umask(PRIVATE_UMASK)


def tighten_data_files(data_dir: Path, database: Path) -> None:
    """Take group and other permissions off the data directory and the database files."""
    _tighten(data_dir, DIR_MODE)
    for suffix in DATABASE_SUFFIXES:
        _tighten(database.with_name(database.name + suffix), FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if not current & 0o077:
        return
    try:
        path.chmod(current & mode)
    except OSError as exc:
        log.warning(
            "cannot restrict permissions path=%s mode=%o error=%s (chmod %o it)",
            path,
            current,
            exc.strerror or exc,
            mode,
        )
        return
    log.warning(
        "permissions restricted path=%s mode=%o new_mode=%o (it was readable by other users)",
        path,
        current,
        current & mode,
    )

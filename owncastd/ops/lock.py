"""The data-directory lock: `owncastd.lock` held with `fcntl.flock` while a daemon runs.

The kernel drops the lock when the holder exits for any reason (SIGKILL included), so a stale
file never blocks a restart. The file holds the holder's pid, for messages only.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from types import TracebackType

from owncastd.errors import StartupError

log = logging.getLogger(__name__)

LOCK_FILE = "owncastd.lock"


class DataDirLockedError(StartupError):
    """Another process (a running daemon or a restore) holds the data directory."""


class DataDirLock:
    """An exclusive, non-blocking lock on a data directory; use as a context manager."""

    def __init__(self, data_dir: Path, purpose: str = "daemon") -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_FILE
        self._purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        """Take the lock or raise :class:`DataDirLockedError` naming the holder."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StartupError(f"cannot use {self.data_dir}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise DataDirLockedError(
                f"{self.data_dir} is in use by another owncastd ({holder}); "
                "stop it first (systemctl stop owncastd)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self._purpose}\n".encode())
        self._fd = fd
        log.debug("data dir locked path=%s", self.path)
        return self

    def release(self) -> None:
        """Drop the lock (the file stays; it is harmless without a holder)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def holder_of(data_dir: Path) -> str | None:
    """A description of who holds `data_dir`'s lock, or None when nobody does."""
    path = data_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode(errors="replace").split()
    except OSError:
        text = []
    return f"pid {text[0]}" if text else "pid unknown"

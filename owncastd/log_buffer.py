"""The in-memory log kept for `/api/admin/logs` and `/api/admin/logs/warnings`.

A :class:`LogBuffer` is a logging handler that remembers the most recent records in two bounded
rings (everything at INFO and above, and warnings/errors alone), in Owncast's shape
`{message, level, time}` with logrus's lower-case level names. `logs.setup_logging` installs it
on the root logger; the admin API reads it. Records come from any thread, so the rings are
guarded by the handler's lock.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_ENTRIES = 500
MAX_WARNINGS = 100

# Python level → logrus level name, as Owncast's clients expect.
_LEVEL_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "fatal",
}


@dataclass(frozen=True)
class LogEntry:
    """One remembered log record."""

    time: datetime
    level: str
    message: str


def level_name(levelno: int) -> str:
    """logrus's name for a Python level (a level between two takes the lower one's name)."""
    for number in sorted(_LEVEL_NAMES, reverse=True):
        if levelno >= number:
            return _LEVEL_NAMES[number]
    return "trace"


class LogBuffer(logging.Handler):
    """Keeps the last `max_entries` records and the last `max_warnings` warnings or worse."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_warnings: int = MAX_WARNINGS,
        level: int = logging.INFO,
    ) -> None:
        super().__init__(level)
        self._entries: deque[LogEntry] = deque(maxlen=max_entries)
        self._warnings: deque[LogEntry] = deque(maxlen=max_warnings)

    def emit(self, record: logging.LogRecord) -> None:
        """Remember `record` (called by logging with the handler's lock held)."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message = f"{message} ({type(exc).__name__}: {exc})"
        entry = LogEntry(
            time=datetime.fromtimestamp(record.created, UTC),
            level=level_name(record.levelno),
            message=message,
        )
        self._entries.append(entry)
        if record.levelno >= logging.WARNING:
            self._warnings.append(entry)

    def entries(self) -> list[LogEntry]:
        """Every remembered record, oldest first."""
        self.acquire()
        try:
            return list(self._entries)
        finally:
            self.release()

    def warnings(self) -> list[LogEntry]:
        """Remembered warnings and errors, oldest first."""
        self.acquire()
        try:
            return list(self._warnings)
        finally:
            self.release()

"""Logging setup: key=value lines on stderr (timestamps unless journald adds its own), a rotating
`owncast.log` in the log directory, and :class:`RotatingTextFile` for `transcoder.log`.

Secrets stay out of every log: :class:`SecretFilter` replaces the configured secrets (stream
keys, the admin password hash…) and token-like query parameters in access lines with `***`.
A full or broken disk never breaks logging: file handlers drop what they cannot write and say
so once on stderr.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from owncastd.config.settings import Settings
from owncastd.config.table import secret_values
from owncastd.log_buffer import LogBuffer

LOG_FILE = "owncast.log"
TRANSCODER_LOG_FILE = "transcoder.log"
MAX_LOG_BYTES = 10 * 1024 * 1024
KEEP_LOG_FILES = 5
ACCESS_LOGGER = "owncastd.http.access"
REDACTED = "***"

_TIMESTAMPED = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_JOURNALD = "%(levelname)s %(name)s: %(message)s"
# Query parameters that carry credentials (the chat websocket's `accessToken`, for one).
_SECRET_QUERY = re.compile(
    r"([?&](?:accesstoken|access_token|token|key|streamkey|password|secret)=)[^&\s\"']*",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def under_journald() -> bool:
    """True when stderr is connected to the systemd journal (it timestamps lines itself)."""
    return bool(os.environ.get("JOURNAL_STREAM"))


def settings_secrets(settings: Settings) -> list[str]:
    """The secret values in `settings` that must never appear in a log line: the keys the
    settings table marks secret, and a `--streamkey` given for this run."""
    values = secret_values(settings)
    if settings.temporary_stream_key:
        values.append(settings.temporary_stream_key)
    return values


class SecretFilter(logging.Filter):
    """Replaces secrets in a record's message with `***` (attach it to handlers).

    `secrets()` is asked on every record, so keys added or removed by a reload are covered.
    """

    def __init__(self, secrets: Callable[[], Iterable[str]] | None = None) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        if record.name == ACCESS_LOGGER:
            redacted = _SECRET_QUERY.sub(r"\1" + REDACTED, redacted)
        if self._secrets is not None:
            for secret in self._secrets():
                if len(secret) >= MIN_SECRET_LENGTH and secret in redacted:
                    redacted = redacted.replace(secret, REDACTED)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class SafeRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler that drops lines it cannot write (disk full, I/O errors).

    The first failure is reported once on stderr (and recovery once again); the daemon keeps
    running and the file is reopened on the next line.
    """

    def __init__(self, path: Path, *, max_bytes: int = MAX_LOG_BYTES, keep: int = KEEP_LOG_FILES):
        super().__init__(path, maxBytes=max_bytes, backupCount=keep, encoding="utf-8", delay=True)
        self.failing = False
        self._failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)
        if self.failing and not self._failed_now:
            self.failing = False
            sys.stderr.write(f"owncastd: writing {self.baseFilename} again\n")

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed_now = True
        if not self.failing:
            self.failing = True
            sys.stderr.write(f"owncastd: cannot write {self.baseFilename}: {sys.exc_info()[1]}\n")
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()


class RotatingTextFile:
    """Lines appended as they are to a size-rotated file (e.g. ffmpeg's `transcoder.log`)."""

    def __init__(self, path: Path, *, max_bytes: int = MAX_LOG_BYTES, keep: int = KEEP_LOG_FILES):
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            path.touch()  # there from the start, like Owncast's; a full disk may refuse it
        self._handler = SafeRotatingFileHandler(path, max_bytes=max_bytes, keep=keep)
        self._handler.setFormatter(logging.Formatter("%(message)s"))

    def write_line(self, text: str) -> None:
        """Append one line (dropped, not raised, when the disk refuses it)."""
        record = logging.LogRecord("transcoder", logging.INFO, "", 0, text, None, None)
        self._handler.handle(record)

    def close(self) -> None:
        """Close the file."""
        self._handler.close()


def setup_logging(
    log_dir: Path | None,
    *,
    verbose: bool,
    secrets: Callable[[], Iterable[str]] | None = None,
    buffer: LogBuffer | None = None,
) -> LogBuffer:
    """Configure the root logger for the daemon (idempotent).

    `verbose` turns on DEBUG and the HTTP access log; `secrets` lists values never to be logged.
    `buffer` (a new one when None) is the in-memory log behind `/api/admin/logs`; it is
    installed and returned.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redact = SecretFilter(secrets)

    stderr = logging.StreamHandler()
    stderr.setFormatter(logging.Formatter(_JOURNALD if under_journald() else _TIMESTAMPED))
    stderr.addFilter(redact)
    root.addHandler(stderr)

    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = SafeRotatingFileHandler(log_dir / LOG_FILE)
        file_handler.setFormatter(logging.Formatter(_TIMESTAMPED))
        file_handler.addFilter(redact)
        root.addHandler(file_handler)

    buffer = buffer if buffer is not None else LogBuffer()
    buffer.addFilter(redact)
    root.addHandler(buffer)

    # Libraries are quiet unless we are debugging.
    for noisy in ("hypercorn.error", "quart.app", "quart.serving", "httpx", "httpcore", "coredis"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    # Access lines are INFO; the HTTP server only sends them here with --enableVerboseLogging.
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)
    return buffer

"""Logging setup: key=value lines on stderr (timestamps unless journald adds its own) and a
rotating `owncast.log` in the log directory."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_FILE = "owncast.log"
TRANSCODER_LOG_FILE = "transcoder.log"
MAX_LOG_BYTES = 10 * 1024 * 1024
KEEP_LOG_FILES = 5

_TIMESTAMPED = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_JOURNALD = "%(levelname)s %(name)s: %(message)s"


def under_journald() -> bool:
    """True when stderr is connected to the systemd journal (it timestamps lines itself)."""
    return bool(os.environ.get("JOURNAL_STREAM"))


def setup_logging(log_dir: Path | None, *, verbose: bool) -> None:
    """Configure the root logger for the daemon (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)

    stderr = logging.StreamHandler()
    stderr.setFormatter(logging.Formatter(_JOURNALD if under_journald() else _TIMESTAMPED))
    root.addHandler(stderr)

    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=MAX_LOG_BYTES, backupCount=KEEP_LOG_FILES
        )
        file_handler.setFormatter(logging.Formatter(_TIMESTAMPED))
        root.addHandler(file_handler)

    # Libraries are quiet unless we are debugging.
    for noisy in ("hypercorn.error", "quart.app", "quart.serving", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    # ffmpeg's warnings arrive through this logger; they also go to transcoder.log.
    logging.getLogger("owncastd.http.access").setLevel(logging.INFO)

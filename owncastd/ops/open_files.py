"""The open-files limit (RLIMIT_NOFILE), raised at start as Owncast does.

Owncast raises the soft limit to 70 % of the hard one (chat/utils.go); so do we, never lowering
it, and with an unlimited hard limit we aim for UNLIMITED_TARGET. Every web connection, chat
socket, ffmpeg pipe and HLS file needs a descriptor, so the web port's connection cap is scaled
to the result (`connection_limits.max_connections_for`).
"""

from __future__ import annotations

import logging
import resource
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

SHARE_OF_HARD = 0.7
UNLIMITED_TARGET = 65536


@dataclass(frozen=True)
class OpenFilesLimit:
    """The limits after the raise, and the soft limit before it."""

    soft: int
    hard: int
    before: int


def raise_open_files_limit(
    *,
    getrlimit: Callable[[int], tuple[int, int]] = resource.getrlimit,
    setrlimit: Callable[[int, tuple[int, int]], None] = resource.setrlimit,
) -> OpenFilesLimit:
    """Raise the soft limit to SHARE_OF_HARD of the hard one (when that is higher) and log
    the result; a refused raise is logged and the current limit kept."""
    soft, hard = getrlimit(resource.RLIMIT_NOFILE)
    before = soft
    ceiling = UNLIMITED_TARGET if hard == resource.RLIM_INFINITY else hard
    target = max(1, int(ceiling * SHARE_OF_HARD))
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("open files limit not raised soft=%d hard=%d error=%s", soft, hard, exc)
    if soft == resource.RLIM_INFINITY:
        soft = UNLIMITED_TARGET
    shown_hard = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    log.info("open files limit soft=%d hard=%s was=%d", soft, shown_hard, before)
    return OpenFilesLimit(soft=soft, hard=hard, before=before)

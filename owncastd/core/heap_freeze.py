"""Move the daemon's startup heap out of the garbage collector's way once it is built.

After `ready` and the web app's load the process holds ~60k long-lived objects (modules,
classes, the quart app, settings). Python's full (generation 2) collection walks all of them:
~30 ms on this machine when quiet, 120-190 ms under load, and while it runs the event loop
serves nobody, which made the lean path's p99 at 50 connections (bench/hls_delivery.py:
53-77 ms) mostly a matter of when a full collection struck. `gc.freeze()` moves them into the
permanent generation, which collections skip (as Instagram's and gunicorn's preloading
servers do); what is made later, per request and per stream, is collected as before.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def freeze_heap() -> int:
    """Collect once, then freeze every object still alive; returns how many were frozen."""
    started = time.monotonic()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("startup heap frozen objects=%d seconds=%.3f", frozen, time.monotonic() - started)
    return frozen


async def freeze_heap_when(loaded: Callable[[], Awaitable[object]]) -> None:
    """Freeze the heap once `loaded()` returns (the web app's load, after `ready`), or
    fails: the objects made until then are the long-lived ones either way."""
    with contextlib.suppress(Exception):  # its failure is logged where it happens
        await loaded()
    freeze_heap()

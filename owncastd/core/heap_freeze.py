"""Move the daemon's startup heap out of the garbage collector's way once it is built.

After `ready` and the web app's load the process holds ~60k long-lived objects (modules,
classes, the quart app, settings). Python's full (generation 2) collection walks all of them:
~30 ms on this machine when quiet, 120-190 ms under load, and while it runs the event loop
serves nobody, which made the lean path's p99 at 50 connections (bench/hls_delivery.py:
53-77 ms) mostly a matter of when a full collection struck. `gc.freeze()` moves them into the
permanent generation, which collections skip (as Instagram's and gunicorn's preloading
servers do); what is made later, per request and per stream, is collected as before, with
young collections less often (YOUNG_THRESHOLD).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
# allocations between young collections (Python's default 700): a request on the lean path
# leaves a few hundred container objects (trio tasks' frames, cancel scopes) that mostly die
# by reference counting before a collection would look at them; 10,000 measured ~7x fewer
# young collections and ~10x less time in them under wrk (bench/README.md, fourth pass)
YOUNG_THRESHOLD = 10_000


def freeze_heap() -> int:
    """Collect once, then freeze every object still alive; returns how many were frozen."""
    started = time.monotonic()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    frozen = gc.get_freeze_count()
    log.info("startup heap frozen objects=%d seconds=%.3f", frozen, time.monotonic() - started)
    return frozen


async def freeze_heap_when(loaded: Callable[[], Awaitable[object]]) -> None:
    """Freeze the heap once `loaded()` returns (the web app's load, after `ready`), or
    fails: the objects made until then are the long-lived ones either way."""
    with contextlib.suppress(Exception):  # its failure is logged where it happens
        await loaded()
    freeze_heap()

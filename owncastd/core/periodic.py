"""Doing something every so often: the one loop behind the daemon's samplers and pruners."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import NoReturn

import trio


async def periodic(
    interval: float, fn: Callable[[], object], *, first: float | None = None
) -> NoReturn:
    """Call `fn` every `interval` seconds until cancelled (awaiting it when it is async).

    The first call comes after `first` seconds (default: one interval; 0: at once, before any
    checkpoint). The next
    one comes `interval` after a call ends, so a slow call never piles up behind itself.
    """
    delay = interval if first is None else first
    if delay > 0:
        await trio.sleep(delay)
    while True:
        result = fn()
        if inspect.isawaitable(result):
            await result
        await trio.sleep(interval)

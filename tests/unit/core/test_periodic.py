"""The periodic loop: first call, interval, async and sync callables."""

from __future__ import annotations

import trio

from owncastd.core.periodic import periodic


async def test_calls_come_every_interval_after_the_first_delay(autojump_clock) -> None:
    calls: list[float] = []
    start = trio.current_time()

    async def record() -> None:
        calls.append(trio.current_time() - start)
        await trio.sleep(1)  # a slow call delays the next one, it does not pile up

    with trio.move_on_after(25):
        await periodic(5, record, first=2)
    assert calls == [2, 8, 14, 20]


async def test_a_plain_function_is_called_at_once_with_first_zero(autojump_clock) -> None:
    calls: list[float] = []
    start = trio.current_time()
    with trio.move_on_after(10.5):
        await periodic(5, lambda: calls.append(trio.current_time() - start), first=0)
    assert calls == [0, 5, 10]


async def test_the_default_first_call_waits_one_interval(autojump_clock) -> None:
    calls: list[float] = []
    start = trio.current_time()
    with trio.move_on_after(7):
        await periodic(3, lambda: calls.append(trio.current_time() - start))
    assert calls == [3, 6]

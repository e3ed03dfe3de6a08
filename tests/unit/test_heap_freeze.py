"""The startup heap is frozen after the web app's load, even when that load failed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from owncastd.core.heap_freeze import YOUNG_THRESHOLD, freeze_heap_when


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual
    gc.set_threshold(*thresholds)


async def test_the_heap_is_frozen_after_the_load(unfrozen: None) -> None:
    seen = []

    async def loaded() -> None:
        seen.append(gc.get_freeze_count())

    await freeze_heap_when(loaded)
    assert seen == [0]  # not before the load
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


async def test_a_failed_load_still_freezes(unfrozen: None) -> None:
    async def failed() -> None:
        raise RuntimeError("the web app failed to start")

    await freeze_heap_when(failed)
    assert gc.get_freeze_count() > 0

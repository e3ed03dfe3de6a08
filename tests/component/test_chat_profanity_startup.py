"""Startup cost (issue 17): the daemon's `build_chat` builds the slur filter's word lists
(~0.25 s) only when the filter is on; switched on later, the first checked message builds them."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import trio

from owncastd.config.settings import ChatSettings
from owncastd.core.chat.slurs import DeferredProfanityCheck, NoProfanityCheck
from owncastd.wiring import build_chat
from tests.component.app_fixtures import build_core, default_settings, start_store


async def test_the_word_lists_load_at_startup_only_when_the_filter_is_on(
    tmp_path: Path, nursery: trio.Nursery
) -> None:
    for enabled in (False, True):
        data_dir = tmp_path / str(enabled)
        data_dir.mkdir()
        settings = default_settings()
        settings = dataclasses.replace(
            settings, chat=dataclasses.replace(settings.chat, slur_filter_enabled=enabled)
        )
        core = build_core(data_dir, settings)
        store = await start_store(nursery, data_dir)
        chat = await build_chat(store, core.settings, core.stream, core.wall, data_dir, 10)
        profanity = chat.room.profanity
        assert isinstance(profanity, DeferredProfanityCheck)
        assert profanity.loaded is enabled


def test_the_first_check_builds_it_once_even_while_a_thread_loads_it() -> None:
    built: list[int] = []
    gate = threading.Event()

    def slow_factory() -> NoProfanityCheck:
        gate.wait(5)
        built.append(1)
        return NoProfanityCheck()

    check = DeferredProfanityCheck(slow_factory)
    assert not check.loaded
    loader = threading.Thread(target=check.load)
    loader.start()
    gate.set()
    assert check.is_profane("hello") is False  # waits for the thread's build, or builds
    loader.join(5)
    assert built == [1] and check.loaded


def test_chat_settings_have_the_filter_off_by_default() -> None:
    assert ChatSettings().slur_filter_enabled is False  # so a default daemon never builds it

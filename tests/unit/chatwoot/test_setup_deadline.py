"""Setup answers within owncastctl's 15 s even when Chatwoot answers each call slowly (within
the per-call timeout): the whole of it has a deadline, and then nothing is written."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
import trio

from owncastd.chatwoot.admin import SETUP_DEADLINE, ChatwootAdmin
from owncastd.config.editor import ConfigEditor
from owncastd.config.settings import ServerSettings, Settings, SettingsRef
from owncastd.errors import ChatwootSetupError


async def test_a_slow_chatwoot_hits_the_setup_deadline(autojump_clock: trio.abc.Clock) -> None:
    calls: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        await trio.sleep(3)  # under the 4 s per-call timeout
        if request.method == "GET":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"id": 1})

    settings = SettingsRef(
        dataclasses.replace(Settings(), server=ServerSettings(url="https://live.example"))
    )
    admin = ChatwootAdmin(
        settings, ConfigEditor(settings, None), transport=httpx.MockTransport(slow)
    )
    start = trio.current_time()
    with pytest.raises(ChatwootSetupError, match="within 12 s; nothing was written") as raised:
        await admin.setup("https://cw.example", 1, "tok", "owncast")
    assert raised.value.status == 502
    assert trio.current_time() - start == pytest.approx(SETUP_DEADLINE)
    assert len(calls) == 4 and settings.current.chatwoot.api_token == ""

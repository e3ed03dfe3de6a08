"""An edge whose Redis never answers logs one line for the outage, not one per retry, and
never says it "lost" a Redis it never had (issue 18 user trial)."""

from __future__ import annotations

import logging

import pytest
import trio

from owncastd.config.settings import Settings, SettingsRef
from owncastd.edge.bus import EdgeBus
from owncastd.edge.chat import EdgeChat
from owncastd.edge.config import EdgeConfig
from tests.cluster_fixtures import free_port


async def _no_token(token: str) -> None:
    return None


async def test_an_edge_that_never_reached_redis_logs_one_line(
    autojump_clock: trio.abc.Clock, caplog: pytest.LogCaptureFixture
) -> None:
    config = EdgeConfig(
        origin_url="http://127.0.0.1:9",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        secret="s",
        edge_id="e-log",
    )
    chat = EdgeChat(
        edge_id="e-log",
        settings=SettingsRef(Settings()),
        token_check=_no_token,
        post=lambda e: True,
    )
    bus = EdgeBus(config, chat, on_control=lambda c: None, stats=dict)
    caplog.set_level(logging.INFO, logger="owncastd.edge.bus")
    async with trio.open_nursery() as nursery:
        await nursery.start(bus.run)
        await trio.sleep(30)  # virtual time: about 15 attempts (backoff up to 2 s)
        nursery.cancel_scope.cancel()
    lines = [r.getMessage() for r in caplog.records if r.name == "owncastd.edge.bus"]
    assert len(lines) == 1 and lines[0].startswith("edge cannot reach redis"), lines
    assert bus.sessions == 0 and chat.paused

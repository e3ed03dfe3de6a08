"""The front door's tests again with the lean viewer path on (as the daemon runs it): the
keep-alive, replay, `/ws` routing, head deadline and size checks must hold whichever path
answers. (`test_an_error_beside_the_stop…` builds its own server on hypercorn's path and
does not apply.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from owncastd.http.transport.front_door import HttpServer
from tests.component import test_http_front_door as base
from tests.component.fast_fixtures import build_fast_web
from tests.component.test_http_front_door import (  # noqa: F401  (collected here again)
    test_a_slow_first_head_is_cut_at_the_head_deadline,
    test_busy_port_is_a_startup_error,
    test_head_and_body_in_one_packet_are_replayed,
    test_idle_and_oversized_heads_are_closed,
    test_keep_alive_and_a_head_sent_byte_by_byte,
    test_ws_upgrades_go_to_the_handler_and_plain_ws_to_the_app,
)


async def _serve_fast(nursery: trio.Nursery, tmp_path: Path, websocket=None, **options) -> int:
    web = build_fast_web(tmp_path)
    server = HttpServer(
        web.app, "127.0.0.1", 0, websocket=websocket, fast_path=web.context, **options
    )
    assert server.status_json()["fastPath"] is True
    return await nursery.start(server.run)


@pytest.fixture(autouse=True)
def lean_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_serve", _serve_fast)

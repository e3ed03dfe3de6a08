"""An edge's checks of its configuration and its health probe (issue 18 user trial), against
a real redis-server and a stand-in origin over real sockets: a wrong secret stops the start,
a secret rotated later gives viewers a 502 with a message (one ERROR logged), `/api/healthz`
names Redis or the origin when they are away, and an oversized register body gets 413."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx
import pytest
import trio

from owncastd.edge.config import EdgeConfig
from owncastd.edge.node import EdgeNode
from owncastd.edge.origin import SECRET_REFUSED, SecretRefusedError
from owncastd.http.transport.front_door import HttpServer
from tests.cluster_fixtures import RedisServer, free_port, redis_server_fixture
from tests.component import edge_fixtures
from tests.component.app_fixtures import default_settings
from tests.component.edge_fixtures import SECRET, StandInOrigin

__all__ = ["redis_server_fixture"]


def _node(redis: RedisServer, origin_port: int, secret: str = SECRET) -> EdgeNode:
    config = EdgeConfig(
        origin_url=f"http://127.0.0.1:{origin_port}",
        redis_url=redis.url,
        secret=secret,
        prefix="h",
        edge_id="e-health",
        heartbeat_seconds=0.2,
    )
    settings = default_settings()
    return EdgeNode(replace(settings, web=replace(settings.web, ip="127.0.0.1", port=0)), config)


async def _healthz(http: httpx.AsyncClient) -> tuple[int, list[str]]:
    answer = await http.get("/api/healthz")
    return answer.status_code, answer.json()["problems"]


async def test_edge_checks_its_secret_and_reports_its_health(
    nursery: trio.Nursery,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    origin_port = int(await nursery.start(HttpServer(StandInOrigin(), "127.0.0.1", 0).run))
    refused = False
    try:
        await _node(redis_server, origin_port, secret="wrong").run()
    except* SecretRefusedError as group:
        refused = str(group.exceptions[0]) == SECRET_REFUSED
    assert refused

    node = _node(redis_server, origin_port)
    port = await nursery.start(node.run)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        with trio.fail_after(5):
            while node.bus is None or not node.bus.redis_ok:  # noqa: ASYNC110
                await trio.sleep(0.02)
        assert await _healthz(http) == (200, [])
        big = b'{"displayName":"' + b"x" * (1024 * 1024) + b'"}'
        answer = await http.post("/api/chat/register", content=big)
        assert answer.status_code == 413

        monkeypatch.setattr(edge_fixtures, "SECRET", "rotated")  # the origin's secret changed
        caplog.clear()
        for _ in range(2):
            answer = await http.post("/api/chat/register", json={"displayName": "v"})
            assert answer.status_code == 502
            assert "misconfigured" in answer.json()["message"]
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in errors] == [SECRET_REFUSED]
        assert await _healthz(http) == (503, ["origin: refuses this edge's cluster secret (401)"])

        redis_server.stop()
        with trio.fail_after(10):
            while node.bus.redis_ok:  # noqa: ASYNC110 (its heartbeat PING notices)
                await trio.sleep(0.02)
        status, problems = await _healthz(http)
        assert status == 503 and "redis: unreachable; chat is paused" in problems

    away = _node(redis_server, free_port())  # no origin yet: the edge starts, and says so
    port = await nursery.start(away.run)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        status, problems = await _healthz(http)
        assert status == 503 and "origin: unreachable" in problems

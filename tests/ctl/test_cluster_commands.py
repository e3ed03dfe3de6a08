"""`owncastctl cluster status` (+ --json) against a fake daemon, and the dashboard's cluster
panel (issue 18): Redis health and each live edge; nothing on a single node."""

from __future__ import annotations

import asyncio

from owncastctl.tui.app import DashboardApp
from tests.ctl.test_tui import FakeSource, _export

STATUS = "/api/admin/cluster"
CLUSTER = {
    "role": "origin",
    "redis": {"ok": True, "url": "redis://:***@10.0.0.5:6379/0", "latencyMs": 0.42},
    "edges": [
        {"id": "edge-a", "url": "http://a.lan:8080", "sockets": 2100, "viewers": 2300,
         "lagMs": 1.7, "lastSeen": 1714564800.5, "redisOk": True},
        {"id": "edge-b", "url": "http://b.lan:8080", "sockets": 1900, "viewers": 2050,
         "lagMs": 12.0, "lastSeen": 1714564800.9, "redisOk": False},
    ],
}  # fmt: skip


def test_status_lists_redis_and_every_edge(fake, ctl) -> None:
    fake.route("GET", STATUS, CLUSTER)
    result = ctl("cluster", "status")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Role: origin" in out and "up (0.4 ms) redis://:***@10.0.0.5:6379/0" in out
    for text in ("edge-a", "2100", "2300", "1.7 ms", "edge-b", "1900", "12.0 ms", "down"):
        assert text in out, text
    assert ctl("cluster", "status", "--json").json() == CLUSTER


def test_status_on_a_single_node_and_with_redis_down(fake, ctl) -> None:
    fake.route("GET", STATUS, {"role": "single", "redis": None, "edges": []})
    assert "Single node: no [cluster] is configured." in ctl("cluster", "status").stdout
    down = {"role": "origin", "redis": {"ok": False, "url": "redis://r:6379/0", "latencyMs": 0},
            "edges": []}  # fmt: skip
    fake.route("GET", STATUS, down)
    out = ctl("cluster", "status").stdout
    assert "DOWN redis://r:6379/0" in out and "No live edges" in out


def test_status_against_an_edge_says_to_ask_the_origin(fake, ctl) -> None:
    fake.fail("GET", STATUS, 404, "not found on an edge node")  # an edge's 404 body
    result = ctl("cluster", "status")
    assert result.exit_code != 0
    assert "is an edge node: point owncastctl at the origin" in result.stderr
    assert "older" not in result.stderr


def test_the_dashboard_shows_the_cluster_panel_only_on_an_origin() -> None:
    source = FakeSource()

    async def main() -> None:
        app = DashboardApp(source, intervals={"cluster": 0.05})
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause(0.2)
            assert "edge-a" not in _export(app)
            assert not app.query_one("#cluster").display
            source.cluster_answer = CLUSTER
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 5
            while "edge-a" not in _export(app):
                assert loop.time() < deadline, _export(app)
                await pilot.pause(0.05)
            shot = _export(app)
            assert "redis up 0.4 ms" in shot
            assert "edge-a 2100s 2300v 2ms" in shot and "edge-b 1900s 2050v 12ms !" in shot
            assert app.query_one("#cluster").display

    asyncio.run(main())

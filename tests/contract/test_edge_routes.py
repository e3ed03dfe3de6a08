"""The viewer routes of an edge node (issue 18): page, assets and public API from the origin
with a small cache, `/api/ping` counted on the edge (and reported in its heartbeat),
registration through the origin's cluster route with the viewer's address, and no admin API."""

from __future__ import annotations

import httpx
import trio

from owncastd.edge.node import EdgeNode
from tests.cluster_fixtures import RedisServer, redis_server_fixture  # noqa: F401
from tests.component.edge_fixtures import (
    StandInOrigin,
    decoded,
    redis_client,
)
from tests.component.test_edge_chat import _edge, _origin


async def test_viewer_routes_come_from_the_origin_and_admin_is_absent(
    redis_server: RedisServer, nursery: trio.Nursery
) -> None:
    origin = StandInOrigin(
        pages={
            "/": b"<html>page</html>",
            "/js/app.js": b"js",
            "/api/status": b'{"online":true,"viewerCount":1}',
            "/api/config": b'{"name":"x"}',
            "/api/chat": b"[]",
            "/hls/0/stream.m3u8": b"#EXTM3U",
            "/logo": b"png",
            "/api/admin/status": b"secret",
        }
    )
    node: EdgeNode = await _edge(nursery, redis_server, await _origin(nursery, origin))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{node.port}") as http:
        assert (await http.get("/api/status")).json()["online"] is True  # viewers count now
        for path in ("/", "/js/app.js", "/api/config", "/logo", "/hls/0/stream.m3u8"):
            answer = await http.get(path)
            assert answer.status_code == 200, path
            assert answer.content == origin.pages[path]
        page_hits = origin.hits["/"]
        await http.get("/")
        assert origin.hits["/"] == page_hits  # cached
        history = await http.get("/api/chat", params={"accessToken": "ta"})
        assert history.content == b"[] accessToken=ta"
        await http.get("/api/chat", params={"accessToken": "tb"})
        assert origin.hits["/api/chat"] == 2  # a viewer's history is never shared

        for path in ("/api/admin/status", "/api/admin/chat/clients", "/api/cluster/token"):
            answer = await http.get(path, auth=("admin", "x"))
            assert answer.status_code == 404, path
            assert answer.json()["success"] is False
        assert origin.hits["/api/admin/status"] == 0

        registered = await http.post(
            "/api/chat/register",
            json={"displayName": "N"},
            headers={"X-Forwarded-For": "198.51.100.7"},  # loopback: a trusted proxy
        )
        assert registered.status_code == 200
        assert registered.json()["accessToken"] == "tnew"
        assert origin.registered[-1]["x-forwarded-for"] == "198.51.100.7"

        for agent in ("a", "b"):
            ping = await http.get("/api/ping", headers={"User-Agent": agent})
            assert ping.status_code == 200
        assert origin.hits["/api/ping"] == 0
        assert node.viewers.count == 3  # two pings and the playlist's viewer
    async with redis_client(redis_server) as redis:
        with trio.fail_after(5):
            while decoded(await redis.hgetall("t:edge:e1")).get("viewers") != "3":  # noqa: ASYNC110
                await trio.sleep(0.05)

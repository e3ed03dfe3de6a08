"""End to end (issue 18): a real origin subprocess over a real redis-server is killed with
SIGKILL during a burst of an edge's XADDs; after a restart every entry's message is in the
database exactly once (pending entries are re-read, stored insert-or-ignore, acknowledged
after the commit)."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.cluster_fixtures import RedisServer, TestEdge, listening_edges, redis_server_fixture
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

__all__ = ["redis_server_fixture"]
pytestmark = pytest.mark.e2e

BURST = 1500
KILL_AFTER = 300  # entries the origin has read before the kill (it reads 200 at a time)


def origin_config(data_dir: Path, redis: RedisServer) -> None:
    path = write_config(data_dir)
    path.write_text(
        path.read_text()
        + f'\n[cluster]\nrole = "origin"\nredis_url = "{redis.url}"\nsecret = "e2e-secret"\n'
    )


def stored_bodies(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as conn:
        return list(conn.execute("SELECT id, body FROM messages WHERE eventType = 'CHAT'"))


async def burst(edge: TestEdge, client: str, user: str) -> list[str]:
    """BURST message entries XADDed in one pipeline (faster than the origin takes them)."""
    async with edge.redis.pipeline(transaction=False) as pipe:
        sent = [
            pipe.xadd(
                "owncastd:chat:in",
                {"kind": "message", "edge": edge.id, "client": client, "user": user,
                 "body": json.dumps({"type": "CHAT", "body": f"burst {n}"})},
            )
            for n in range(BURST)
        ]  # fmt: skip
    return [str(await entry) for entry in sent]


async def kill_mid_batch(daemon: DaemonProcess, redis: Any) -> None:
    """SIGKILL the origin while it holds entries it read but has not acknowledged: stopped
    (SIGSTOP) for each look at Redis, so it cannot acknowledge meanwhile."""
    with trio.fail_after(30):
        while True:
            daemon.process.send_signal(signal.SIGSTOP)
            group = (await redis.xinfo_groups("owncastd:chat:in"))[0]
            if group["pending"] > 0 and group["entries-read"] >= KILL_AFTER:
                daemon.process.send_signal(signal.SIGKILL)
                assert daemon.process.wait(10) == -signal.SIGKILL
                return
            daemon.process.send_signal(signal.SIGCONT)
            await trio.sleep(0.002)  # let it run a little (another process: nothing to wait on)


async def test_origin_killed_during_a_burst_keeps_every_message_once(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    data_dir = tmp_path / "data"
    origin_config(data_dir, redis_server)
    daemon = DaemonProcess(data_dir).wait_ready()
    async with listening_edges(redis_server, "edge-k") as (edge,):
        redis = edge.redis
        async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
            user = (await http.post("/api/chat/register", json={"displayName": "mod"})).json()
            promoted = await http.post(  # moderators skip the rate limit: a fast burst
                "/api/admin/chat/users/setmoderator",
                json={"userId": user["id"], "isModerator": True},
                auth=("admin", ADMIN_PASSWORD),
            )
            assert promoted.status_code == 200, daemon.log()
        client = edge.new_client_id()
        await edge.xadd("connect", client, user["id"])
        await edge.frame("CONNECTED_USER_INFO", f"c:{client}")
        ids = await burst(edge, client, user["id"])
        await kill_mid_batch(daemon, redis)
        pending = (await redis.xpending("owncastd:chat:in", "origin")).pending
        lag = (await redis.xinfo_groups("owncastd:chat:in"))[0]["lag"]
        assert pending > 0  # killed mid-batch: handled (some stored), not acknowledged
        stored_at_kill = len(stored_bodies(data_dir / "owncast.db"))
        assert len(ids) == BURST

        edge.controls.clear()
        restarted = DaemonProcess(data_dir).wait_ready()
        try:
            started = await edge.control(type="origin_started")
            assert started["instance"]
            await edge.xadd("resync", client, user["id"])
            want = {"r" + i for i in ids}
            with trio.fail_after(30):  # another process's database and Redis state: polled
                while not (  # noqa: ASYNC110
                    want <= {i for i, _ in stored_bodies(data_dir / "owncast.db")}
                    and (await redis.xinfo_groups("owncastd:chat:in"))[0]["pending"] == 0
                ):
                    await trio.sleep(0.05)
            await edge.heartbeat(viewers=4, sockets=1)
            admin = {"auth": ("admin", ADMIN_PASSWORD), "timeout": 10}
            async with httpx.AsyncClient(base_url=restarted.url) as http:
                with trio.fail_after(15):  # the origin scans heartbeats every second
                    while not (await http.get("/api/admin/cluster", **admin)).json()["edges"]:  # noqa: ASYNC110
                        await trio.sleep(0.1)
                cluster = (await http.get("/api/admin/cluster", **admin)).json()
                metrics = (await http.get("/api/admin/prometheus", **admin)).text
            assert cluster["role"] == "origin" and cluster["redis"]["ok"] is True
            assert [(e["id"], e["viewers"]) for e in cluster["edges"]] == [("edge-k", 4)]
            assert 'owncastd_cluster_edge_viewers{edge="edge-k"} 4.0' in metrics
            assert 'owncastd_cluster_edge_sockets{edge="edge-k"} 1.0' in metrics
            assert "owncastd_cluster_redis_up 1.0" in metrics
            async with httpx.AsyncClient(base_url=restarted.url) as http:
                changed = await http.post(
                    "/api/admin/config/chat/joinmessagesenabled", json={"value": False}, **admin
                )
                assert changed.status_code == 200
                gone = (await http.post("/api/chat/register", json={})).json()
                gone_client = edge.new_client_id()
                await edge.xadd("connect", gone_client, gone["id"])
                await edge.frame("CONNECTED_USER_INFO", f"c:{gone_client}")
                deleted = await http.post(
                    "/api/admin/users/delete", json={"userId": gone["id"]}, **admin
                )
                assert deleted.status_code == 200, restarted.log()
            await edge.control(type="chat_config")  # edges drop what they cache of settings
            await edge.control(type="token_revoked", user=gone["id"])
            await edge.control(type="disconnect", target=f"u:{gone['id']}")
            await edge.control(type="disconnect", target=f"c:{gone_client}")
        finally:
            restarted.stop()
    rows = stored_bodies(data_dir / "owncast.db")
    assert len(rows) == len({i for i, _ in rows}) == BURST  # every message, each once
    assert sorted(b for _, b in rows) == sorted(f"<p>burst {n}</p>" for n in range(BURST))
    shown = [e["id"] for _, e in edge.frames if e.get("type") == "CHAT"]
    print(
        f"at the kill: {pending} read, not acknowledged; {lag} unread; {stored_at_kill} stored;"
        f" CHAT frames published twice: {len(shown) - len(set(shown))}"
    )

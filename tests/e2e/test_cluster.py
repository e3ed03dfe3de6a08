"""End to end (issue 18): one origin and two edges as subprocesses on a real redis-server.

One run, several checks in order: clients on different edges chat with each other; a hide and
a ban on the origin reach clients on both edges within 1 s; an edge `kill -9` → its client
reconnects to the other edge and finds every acknowledged message in history; Redis stopped
~10 s and restarted → chat pauses and resumes, no duplicates; the origin `kill -9` during a
burst → after its restart every acknowledged message is in history, once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs, ClosedError, Refused
from tests.cluster_fixtures import RedisServer, free_port, redis_server_fixture  # noqa: F401
from tests.e2e.harness import ADMIN_PASSWORD, OWNCASTD, DaemonProcess, write_config

pytestmark = pytest.mark.e2e

ADMIN = ("admin", ADMIN_PASSWORD)
SECRET = "e2e-cluster-secret"
PREFIX = "e2e"


class Node(DaemonProcess):
    """An owncastd subprocess with the given arguments (origin or edge), log captured."""

    def __init__(self, data_dir: Path, argv: Sequence[str]) -> None:
        self.data_dir = data_dir
        self.http_port = self.rtmp_port = 0
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [str(OWNCASTD), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ),
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()


def _origin(data_dir: Path, redis: RedisServer, port: int) -> Node:
    argv = ["--data-dir", str(data_dir), "--webserverport", str(port), "--rtmpport", "0"]
    return Node(data_dir, argv).wait_ready()


def _edge(data_dir: Path, redis: RedisServer, origin_port: int, edge_id: str) -> Node:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "owncast.toml").write_text(
        f'[web]\nip = "127.0.0.1"\n\n[cluster]\nsecret = "{SECRET}"\nprefix = "{PREFIX}"\n'
    )
    argv = [
        "edge", "--data-dir", str(data_dir), "--webserverport", "0", "--edge-id", edge_id,
        "--origin", f"http://127.0.0.1:{origin_port}", "--redis", redis.url,
    ]  # fmt: skip
    return Node(data_dir, argv).wait_ready()


def _origin_config(data_dir: Path, redis: RedisServer) -> None:
    write_config(data_dir)
    with (data_dir / "owncast.toml").open("a") as config:
        config.write(
            "\n[chat]\nspam_protection_enabled = false\n\n"
            f'[cluster]\nrole = "origin"\nredis_url = "{redis.url}"\nsecret = "{SECRET}"\n'
            f'prefix = "{PREFIX}"\n'
        )


async def _register(node: Node, name: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as http:
        answer = await http.post("/api/chat/register", json={"displayName": name})
    assert answer.status_code == 200, node.log()
    return dict(answer.json())


async def _join(node: Node, token: str) -> ChatWs:
    ws = await ChatWs.connect(node.http_port, token)
    assert not isinstance(ws, Refused), (ws, node.log())
    await ws.next_event("CONNECTED_USER_INFO", timeout=10)
    return ws


async def _history(node: Node, token: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as http:
        answer = await http.get("/api/chat", params={"accessToken": token})
    assert answer.status_code == 200, node.log()
    return list(answer.json())


async def _say(sender: ChatWs, body: str) -> dict[str, Any]:
    """Send a message and wait for its echo: then it is acknowledged."""
    await sender.send_json({"type": "CHAT", "body": body})
    while True:
        event = await sender.next_event("CHAT", timeout=10)
        if body in event["body"]:
            return event


async def _seen(ws: ChatWs, event_id: str) -> None:
    """Until `ws` receives the CHAT event `event_id` (earlier ones are skipped)."""
    while (await ws.next_event("CHAT", timeout=5))["id"] != event_id:
        pass


async def _within(seconds: float, ws: ChatWs, kind: str) -> dict[str, Any]:
    began = trio.current_time()
    event = await ws.next_event(kind, timeout=5)
    assert trio.current_time() - began < seconds, f"{kind} took over {seconds}s"
    return event


def _wrong_secret_edge_exits_2(data_dir: Path, origin_port: int) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "owncast.toml").write_text('[cluster]\nsecret = "not-the-secret"\n')
    argv = [
        str(OWNCASTD), "edge", "--data-dir", str(data_dir), "--webserverport", "0",
        "--origin", f"http://127.0.0.1:{origin_port}", "--redis", "redis://127.0.0.1:9/0",
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2, done.stderr
    assert "the origin refused the cluster secret (401)" in done.stderr


async def _redis_named_by_healthz(origin: Node, edge: Node) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        with trio.fail_after(8):  # the origin's pinger notices within a second or two
            while True:
                found = (await http.get(origin.url + "/api/healthz")).json()
                if found["status"] == "degraded":
                    break
                await trio.sleep(0.1)
        assert any(p.startswith("cluster: Redis is unreachable") for p in found["problems"])
        answer = await http.get(edge.url + "/api/healthz")
        assert answer.status_code == 503
        assert "redis: unreachable; chat is paused" in answer.json()["problems"]


async def test_cluster_chat_survives_edge_redis_and_origin_failures(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    origin_dir, origin_port = tmp_path / "origin", free_port()
    _origin_config(origin_dir, redis_server)
    origin = _origin(origin_dir, redis_server, origin_port)
    edge1 = _edge(tmp_path / "e1", redis_server, origin_port, "one")
    edge2 = _edge(tmp_path / "e2", redis_server, origin_port, "two")
    nodes = [origin, edge1, edge2]
    logs = lambda: "\n".join(n.log() for n in nodes)  # noqa: E731
    try:
        for node in (edge1, edge2):  # private files, as the daemon's
            assert (node.data_dir / "logs").stat().st_mode & 0o077 == 0
            assert (node.data_dir / "logs" / "owncast.log").stat().st_mode & 0o077 == 0
        _wrong_secret_edge_exits_2(tmp_path / "e-wrong", origin_port)
        alice = await _register(edge1, "alice")
        carol = await _register(edge1, "carol")
        bob = await _register(edge2, "bob")
        alice_ws = await _join(edge1, alice["accessToken"])
        carol_ws = await _join(edge1, carol["accessToken"])
        bob_ws = await _join(edge2, bob["accessToken"])
        acknowledged: list[str] = []

        # Across edges, both ways.
        hello = await _say(alice_ws, "hello from one")
        await _seen(bob_ws, hello["id"])
        # Owncast's wire shapes through an edge, as on a single node.
        assert set(hello) == {"type", "id", "timestamp", "user", "body", "visible"}
        assert hello["body"] == "<p>hello from one</p>" and hello["visible"] is True
        assert hello["user"]["id"] == alice["id"] and hello["user"]["displayName"] == "alice"
        (stored,) = [m for m in await _history(edge2, bob["accessToken"]) if m["id"] == hello["id"]]
        assert stored["body"] == hello["body"] and stored["user"]["id"] == alice["id"]
        async with httpx.AsyncClient(base_url=edge2.url, timeout=10) as http:
            assert (await http.get("/api/status")).json()["online"] is False
            assert (await http.get("/api/config")).json()["chatDisabled"] is False
            assert (await http.get("/api/admin/status", auth=ADMIN)).status_code == 404
        reply = await _say(bob_ws, "hello from two")
        await _seen(alice_ws, reply["id"])
        acknowledged += [hello["id"], reply["id"]]

        # A hide and a ban on the origin reach both edges within 1 s.
        async with httpx.AsyncClient(base_url=origin.url, auth=ADMIN, timeout=10) as admin:
            hide = {"idArray": [reply["id"]], "visible": False}
            assert (await admin.post("/api/admin/chat/messagevisibility", json=hide)).is_success
            for ws in (alice_ws, bob_ws, carol_ws):
                hidden = await _within(1.0, ws, "VISIBILITY-UPDATE")
                assert hidden["ids"] == [reply["id"]] and hidden["visible"] is False
            ban = {"userId": alice["id"], "enabled": False}
            assert (await admin.post("/api/admin/chat/users/setenabled", json=ban)).is_success
            began = trio.current_time()
            await _within(1.0, alice_ws, "ERROR_USER_DISABLED")
            banned = await _within(1.0, bob_ws, "VISIBILITY-UPDATE")
            assert hello["id"] in banned["ids"]
            await alice_ws.wait_closed(timeout=5)  # Owncast closes 2 s after telling
            assert trio.current_time() - began < 4.0, logs()
        acknowledged.remove(hello["id"])  # hidden with its banned author
        acknowledged.remove(reply["id"])

        # Edge 1 dies: carol reconnects to edge 2 and finds the history.
        one_more = await _say(carol_ws, "before the edge dies")
        acknowledged.append(one_more["id"])
        edge1.process.send_signal(signal.SIGKILL)
        edge1.process.wait(10)
        with pytest.raises((ClosedError, trio.TooSlowError)):
            await carol_ws.next_event("CHAT", timeout=5)
        carol_ws = await _join(edge2, carol["accessToken"])
        ids = [m["id"] for m in await _history(edge2, carol["accessToken"])]
        assert set(acknowledged) <= set(ids), logs()

        # Redis away ~10 s: chat pauses (sockets stay), then resumes without duplicates.
        redis_server.stop()
        assert "paused" in (await carol_ws.next_event("CHAT_ACTION", timeout=10))["body"]
        async with trio.open_nursery() as outage:  # the health probes name Redis meanwhile
            outage.start_soon(trio.sleep, 10)  # the outage itself
            await _redis_named_by_healthz(origin, edge2)
        redis_server.start()
        back_at = trio.current_time()
        assert "back" in (await carol_ws.next_event("CHAT_ACTION", timeout=15))["body"]
        assert trio.current_time() - back_at < 3.0, logs()  # the edge's backoff: ≤ 2 s
        after = await _say(carol_ws, "after the outage")
        await _seen(bob_ws, after["id"])
        acknowledged.append(after["id"])

        # The origin dies during a burst: every acknowledged message is in history, once.
        burst_ids: list[str] = []

        async def collect() -> None:
            while True:
                event = await carol_ws.next_event("CHAT", timeout=60)
                if event["body"].startswith("<p>burst"):
                    burst_ids.append(event["id"])

        async with trio.open_nursery() as nursery:
            nursery.start_soon(collect)
            for n in range(30):
                await bob_ws.send_json({"type": "CHAT", "body": f"burst {n}"})
                if n == 10:
                    origin.process.send_signal(signal.SIGKILL)
                    origin.process.wait(10)
                await trio.sleep(0.02)
            origin = _origin(origin_dir, redis_server, origin_port)
            nodes[0] = origin
            with trio.move_on_after(20):
                while len(burst_ids) < 30:  # noqa: ASYNC110 — filled by the collector
                    await trio.sleep(0.1)
            nursery.cancel_scope.cancel()
        assert len(burst_ids) == 30, f"{len(burst_ids)} of 30 burst messages came back\n{logs()}"
        acknowledged += burst_ids
        history = [m["id"] for m in await _history(edge2, carol["accessToken"])]
        assert set(acknowledged) <= set(history), logs()
        duplicates = [i for i, count in Counter(history).items() if count > 1]
        assert duplicates == [] and len(set(burst_ids)) == 30
    finally:
        for node in nodes:
            if node.process.poll() is None:
                node.process.kill()

"""A real `redis-server` on a free loopback port, and a test edge that speaks the cluster
contract (issue 18) directly through Redis: XADDs client events to `P:chat:in`, hears
`P:chat:out` and `P:cluster:control`, writes heartbeats."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import coredis
import pytest
import trio

PREFIX = "owncastd"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers_ping(port: int) -> bool:
    """True when a Redis server on `port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One `redis-server` (no persistence) that a test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING (10 s at most)."""
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            command, cwd=self._directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Kill it (its data is gone: no persistence) and wait for the exit."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def client(self) -> coredis.Redis[Any]:
        """A client decoding to str (enter it with `async with`)."""
        return coredis.Redis.from_url(self.url, decode_responses=True)


@pytest.fixture(name="redis_server")
def redis_server_fixture(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server, killed at the end."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: run tools/bootstrap.py test")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class TestEdge:
    """Plays an edge: sends client events and hears what the origin publishes."""

    __test__ = False

    def __init__(self, redis: coredis.Redis[Any], edge_id: str, prefix: str = PREFIX) -> None:
        self.redis = redis
        self.id = edge_id
        self.prefix = prefix
        self._count = 0
        self.frames: list[tuple[str, dict[str, Any]]] = []  # (target, event)
        self.controls: list[dict[str, Any]] = []
        self._changed = trio.Event()

    def new_client_id(self) -> str:
        self._count += 1
        return f"{self.id}/{self._count}"

    async def xadd(self, kind: str, client: str, user: str = "", **fields: str) -> str:
        """One entry on `P:chat:in`; its id."""
        values = {"kind": kind, "edge": self.id, "client": client, "user": user}
        values |= {"ip": "198.51.100.7", "ua": "test-edge", "at": str(int(time.time()))}
        values |= fields
        entry = await self.redis.xadd(f"{self.prefix}:chat:in", values)
        return str(entry)

    async def send_chat(self, client: str, user: str, body: str) -> str:
        frame = json.dumps({"type": "CHAT", "body": body})
        return await self.xadd("message", client, user, body=frame)

    async def heartbeat(self, viewers: int = 0, sockets: int = 0) -> None:
        now = time.time()
        key = f"{self.prefix}:edge:{self.id}"
        await self.redis.hset(
            key,
            {
                "url": f"http://{self.id}.test",
                "sockets": str(sockets),
                "viewers": str(viewers),
                "started_at": str(now),
                "updated_at": str(now),
                "lag_ms": "1.5",
                "redis_ok": "1",
                "version": "test",
            },
        )
        await self.redis.expire(key, 5)
        await self.redis.zadd(f"{self.prefix}:edges", {self.id: now})

    async def listen(
        self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Collect `P:chat:out` frames and control messages until cancelled."""
        channels = [f"{self.prefix}:chat:out", f"{self.prefix}:cluster:control"]
        async with self.redis.pubsub(channels=channels) as pubsub:
            task_status.started()
            async for message in pubsub:
                if message["type"] != "message":
                    continue
                data = message["data"]
                if str(message["channel"]).endswith(":control"):
                    self.controls.append(json.loads(data))
                else:
                    target, _, frame = str(data).partition("\n")
                    self.frames.append((target, json.loads(frame)))
                self._changed.set()
                self._changed = trio.Event()

    async def frame(self, kind: str, target: str | None = None, after: int = 0) -> dict[str, Any]:
        """The first event of `kind` (for `target`) heard, at or after index `after`."""
        with trio.fail_after(10):
            while True:
                for heard_target, event in self.frames[after:]:
                    if event.get("type") == kind and target in (None, heard_target):
                        return event
                await self._changed.wait()

    async def control(self, **match: Any) -> dict[str, Any]:
        """The first control message whose fields include `match`."""
        with trio.fail_after(10):
            while True:
                for message in self.controls:
                    if all(message.get(k) == v for k, v in match.items()):
                        return message
                await self._changed.wait()


@asynccontextmanager
async def listening_edges(server: RedisServer, *edge_ids: str) -> AsyncIterator[list[TestEdge]]:
    """Test edges sharing one client, listening until the block ends."""
    async with server.client() as redis, trio.open_nursery() as nursery:
        edges = [TestEdge(redis, edge_id) for edge_id in edge_ids]
        for edge in edges:
            await nursery.start(edge.listen)
        yield edges
        nursery.cancel_scope.cancel()

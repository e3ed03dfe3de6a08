"""An edge node alone for component tests: a real `redis-server` (Debian's, on a free loopback
port, stoppable and restartable on the same port), a stand-in origin answering the contract's
`/api/cluster/token` and `/api/cluster/register` (issue 18 §6), and helpers that publish
origin frames and read the edge's stream entries by hand."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import coredis
import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SECRET = "edge-test-secret"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A throwaway redis-server without persistence; `stop()`/`start()` keep its port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


@pytest.fixture(name="redis_server")
def redis_fixture(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server, killed after the test."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is not installed (tools/bootstrap.py installs it)")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class StandInOrigin:
    """Answers the edge's two cluster routes from `users` (token → token-check JSON) and its
    public routes from `pages` (path → body); counts the requests per path in `hits`."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    registered: list[dict[str, str]] = field(default_factory=list)
    token_checks: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        self.hits[path] += 1
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        status, body = 404, b'{"success":false}'
        if path.startswith("/api/cluster/") and headers.get("x-owncastd-cluster") != SECRET:
            status = 401
        elif path == "/api/cluster/token":
            self.token_checks += 1
            token = scope["query_string"].decode().partition("accessToken=")[2]
            if token in self.users:
                status, body = 200, json.dumps(self.users[token]).encode()
        elif path == "/api/cluster/register":
            self.registered.append(headers)
            status, body = 200, b'{"id":"new","accessToken":"tnew","displayName":"N"}'
        elif path in self.pages:
            status, body = 200, self.pages[path]
            if scope["query_string"]:
                body += b" " + scope["query_string"]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def user(user_id: str, name: str, **extra: Any) -> dict[str, Any]:
    """A token-check answer (contract §6)."""
    return {
        "userId": user_id,
        "displayName": name,
        "displayColor": 3,
        "isModerator": False,
        "isBot": False,
        "authenticated": False,
        "disabled": False,
        **extra,
    }


def redis_client(server: RedisServer) -> coredis.Redis[bytes]:
    return coredis.Redis.from_url(server.url, decode_responses=False)


def decoded(fields: Any) -> dict[str, str]:
    """A stream entry's fields as text."""
    return {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in dict(fields).items()
    }

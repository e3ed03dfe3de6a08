"""An edge node alone for component tests: a stand-in origin answering the contract's
`/api/cluster/token` and `/api/cluster/register` (issue 18 §6), and helpers to read the edge's
stream entries; the real `redis-server` comes from `tests/cluster_fixtures.py`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import coredis

from tests.cluster_fixtures import RedisServer

SECRET = "edge-test-secret"


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

"""An edge node alone against a real redis-server (issue 18): origin frames published by hand
reach the sockets they target byte for byte, client events arrive on the stream, heartbeats
are written, the origin's control messages close sockets and trigger resyncs, and a Redis
outage pauses chat without closing sockets."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import trio

from owncastd.config.settings import Settings
from owncastd.edge.config import EdgeConfig
from owncastd.edge.node import EdgeNode
from owncastd.http.transport.front_door import HttpServer
from tests.chat_ws_client import ChatWs, Refused
from tests.cluster_fixtures import RedisServer, redis_server_fixture  # noqa: F401
from tests.component.app_fixtures import default_settings
from tests.component.edge_fixtures import (
    SECRET,
    StandInOrigin,
    decoded,
    redis_client,
    user,
)

PREFIX = "t"
STARTUP_CHECK = 1  # the edge's start-up check of its secret (a random token) is one more


async def _origin(nursery: trio.Nursery, origin: StandInOrigin) -> int:
    server = HttpServer(origin, "127.0.0.1", 0)
    return int(await nursery.start(server.run))


def _settings() -> Settings:
    settings = default_settings()
    return replace(settings, web=replace(settings.web, ip="127.0.0.1", port=0))


async def _edge(nursery: trio.Nursery, redis: RedisServer, origin_port: int) -> EdgeNode:
    config = EdgeConfig(
        origin_url=f"http://127.0.0.1:{origin_port}",
        redis_url=redis.url,
        secret=SECRET,
        prefix=PREFIX,
        edge_id="e1",
        heartbeat_seconds=0.2,
    )
    node = EdgeNode(_settings(), config)
    await nursery.start(node.run)
    return node


async def _ws(port: int, token: str) -> ChatWs:
    ws = await ChatWs.connect(port, token)
    assert not isinstance(ws, Refused), ws
    return ws


async def _entries(redis: Any, count: int, after: str = "0") -> list[dict[str, str]]:
    """Wait for `count` entries of `t:chat:in` after id `after`."""
    with trio.fail_after(5):
        while True:
            found = await redis.xrange(f"{PREFIX}:chat:in", start="-", end="+")
            entries = [
                {"id": entry.identifier.decode(), **decoded(entry.field_values)}
                for entry in found
                if entry.identifier.decode() > after or after == "0"
            ]
            if len(entries) >= count:
                return entries
            await trio.sleep(0.02)


def _frame(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "id": "x", "timestamp": "2026-01-01T00:00:00.000Z", **fields}


async def test_frames_reach_their_targets_and_events_reach_the_stream(
    redis_server: RedisServer, nursery: trio.Nursery
) -> None:
    origin = StandInOrigin({"ta": user("alice", "Alice"), "tb": user("bob", "Bob")})
    node = await _edge(nursery, redis_server, await _origin(nursery, origin))
    async with redis_client(redis_server) as redis:
        alice = await _ws(node.port, "ta")
        await _entries(redis, 1)  # checked and joined: the next check of "ta" is cached
        bob = await _ws(node.port, "tb")
        await _entries(redis, 2)
        alice2 = await _ws(node.port, "ta")
        connects = await _entries(redis, 3)
        a1, b, a2 = (e["client"] for e in connects)
        first = int(a1.removeprefix("e1/"))  # a per-edge counter, from a new value each run
        assert (a1, b, a2) == (f"e1/{first}", f"e1/{first + 1}", f"e1/{first + 2}")
        assert [(e["kind"], e["user"], e["edge"]) for e in connects] == [
            ("connect", "alice", "e1"),
            ("connect", "bob", "e1"),
            ("connect", "alice", "e1"),
        ]
        assert connects[0]["ip"] == "127.0.0.1" and float(connects[0]["at"]) > 0
        assert (
            origin.token_checks == STARTUP_CHECK + 2
        )  # alice's second socket used the cached check

        payload = json.dumps(_frame("CHAT", body="<p>hi</p>"), separators=(",", ":"))
        await redis.publish(f"{PREFIX}:chat:out", f"*\n{payload}".encode())
        for ws in (alice, bob, alice2):
            event = await ws.next_event("CHAT")
            assert event["body"] == "<p>hi</p>"
        assert alice.frames[-1] == payload  # forwarded byte for byte

        await redis.publish(
            f"{PREFIX}:chat:out", b"u:alice\n" + json.dumps(_frame("SYSTEM")).encode()
        )
        await alice.next_event("SYSTEM")
        await alice2.next_event("SYSTEM")
        await redis.publish(
            f"{PREFIX}:chat:out", f"c:{b}\n".encode() + json.dumps(_frame("CHAT_ACTION")).encode()
        )
        await bob.next_event("CHAT_ACTION")
        await alice.no_event("CHAT_ACTION", wait=0.3)
        await bob.no_event("SYSTEM", wait=0.01)

        await alice.send_json({"type": "CHAT", "body": "hello"})
        (message,) = [e for e in await _entries(redis, 4) if e["kind"] == "message"]
        assert message["client"] == a1
        assert json.loads(message["body"]) == {"type": "CHAT", "body": "hello"}

        with trio.fail_after(5):
            while not await redis.exists(["t:edge:e1"]):  # noqa: ASYNC110 — another process
                await trio.sleep(0.05)
        beat = decoded(await redis.hgetall("t:edge:e1"))
        assert beat["sockets"] == "3" and beat["redis_ok"] == "1"
        assert 0 < await redis.ttl("t:edge:e1") <= 5
        assert await redis.zscore("t:edges", "e1") is not None

        control = f"{PREFIX}:cluster:control"
        await redis.publish(control, json.dumps({"type": "disconnect", "target": "u:bob"}))
        await bob.wait_closed()
        await redis.publish(control, json.dumps({"type": "origin_started", "instance": "o2"}))
        entries = await _entries(redis, 7)
        assert [(e["kind"], e["client"]) for e in entries[4:]] == [
            ("disconnect", b),
            ("resync", a1),
            ("resync", a2),
        ]

        stranger = await _ws(node.port, "unknown")
        assert (await stranger.next_event())["type"] == "ERROR_NEEDS_REGISTRATION"

        node.stop()  # a clean stop: the origin hears of every socket and the heartbeat goes
        await alice.wait_closed()
        entries = await _entries(redis, 9)
        assert [(e["kind"], e["client"]) for e in entries[7:]] == [
            ("disconnect", a1),
            ("disconnect", a2),
        ]
        assert not await redis.exists(["t:edge:e1"])
        assert await redis.zscore("t:edges", "e1") is None
        await alice2.wait_closed()
        assert len(await _entries(redis, 9)) == 9  # not repeated as the sockets closed


async def test_redis_outage_pauses_chat_and_resumes(
    redis_server: RedisServer, nursery: trio.Nursery
) -> None:
    origin = StandInOrigin({"ta": user("alice", "Alice")})
    node = await _edge(nursery, redis_server, await _origin(nursery, origin))
    alice = await _ws(node.port, "ta")
    async with redis_client(redis_server) as redis:
        await _entries(redis, 1)
    redis_server.stop()
    paused = await alice.next_event("CHAT_ACTION")
    assert "paused" in paused["body"]
    await alice.send_json({"type": "CHAT", "body": "lost?"})
    refused = await alice.next_event("CHAT_ACTION")
    assert "not sent" in refused["body"]
    await trio.sleep(4)  # the outage itself
    redis_server.start()  # empty: a restarted redis without persistence
    back_at = trio.current_time()
    resumed = await alice.next_event("CHAT_ACTION", timeout=10)
    assert "back" in resumed["body"]
    assert trio.current_time() - back_at < 2.5  # the edge's own backoff: at most 2 s
    async with redis_client(redis_server) as redis:
        (resync,) = await _entries(redis, 1)
        assert resync["kind"] == "resync" and resync["user"] == "alice"
        await redis.publish(f"{PREFIX}:chat:out", b"*\n" + json.dumps(_frame("CHAT")).encode())
        await alice.next_event("CHAT")
    assert not alice.closed


async def test_token_checks_are_cached_until_revoked(
    redis_server: RedisServer, nursery: trio.Nursery
) -> None:
    origin = StandInOrigin({"ta": user("alice", "Alice")})
    node = await _edge(nursery, redis_server, await _origin(nursery, origin))
    async with redis_client(redis_server) as redis:
        first = await _ws(node.port, "ta")
        await _entries(redis, 1)
        kept = [await _ws(node.port, "ta")]  # open sockets: a closed one adds an entry
        await _entries(redis, 2)
        assert origin.token_checks == STARTUP_CHECK + 1

        async def control(message: dict[str, str]) -> None:
            """Publish a control message, then wait for a marker published after it."""
            await redis.publish(f"{PREFIX}:cluster:control", json.dumps(message))
            await redis.publish(
                f"{PREFIX}:chat:out", b"u:alice\n" + json.dumps(_frame("SYSTEM")).encode()
            )
            await first.next_event("SYSTEM")

        await control({"type": "token_revoked", "user": "bob"})  # someone else's
        kept.append(await _ws(node.port, "ta"))
        await _entries(redis, 3)
        assert origin.token_checks == STARTUP_CHECK + 1
        await control({"type": "token_revoked", "user": "alice"})
        kept.append(await _ws(node.port, "ta"))
        await _entries(redis, 4)
        assert origin.token_checks == STARTUP_CHECK + 2
        await control({"type": "chat_config"})
        kept.append(await _ws(node.port, "ta"))
        await _entries(redis, 5)
        assert origin.token_checks == STARTUP_CHECK + 3


async def test_chat_disabled_on_the_origin_refuses_sockets_on_the_edge(
    redis_server: RedisServer, nursery: trio.Nursery
) -> None:
    origin = StandInOrigin(
        {"ta": user("alice", "Alice")}, pages={"/api/config": b'{"chatDisabled":true}'}
    )
    node = await _edge(nursery, redis_server, await _origin(nursery, origin))
    with trio.fail_after(5):
        while not node.chat.chat_disabled:  # noqa: ASYNC110 — read from the origin
            await trio.sleep(0.02)
    refused = await ChatWs.connect(node.port, "ta")
    assert refused == Refused(200, b"CHAT_DISABLED")  # as the origin answers (room.precheck)
    origin.pages["/api/config"] = b'{"chatDisabled":false}'
    async with redis_client(redis_server) as redis:
        await redis.publish(f"{PREFIX}:cluster:control", json.dumps({"type": "chat_config"}))
        with trio.fail_after(5):
            while node.chat.chat_disabled:  # noqa: ASYNC110 — read again on chat_config
                await trio.sleep(0.02)
        await _ws(node.port, "ta")
        await _entries(redis, 1)

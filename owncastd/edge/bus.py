"""The edge's side of Redis (contract §1, §3–§5), over coredis (anyio, runs under trio).

One session = one connection for pub/sub (`P:chat:out` → `EdgeChat.deliver`, `P:cluster:control`
→ `on_control`) and a pool for the rest: a writer task XADDs the queued client events to
`P:chat:in`, and a heartbeat task writes `P:edge:<id>` (with its PING round trip as `lag_ms`)
every `heartbeat_seconds`. When Redis goes, the chat pauses and the session is retried with a
backoff (0.2 s doubling to 2 s; coredis's own retries are off, they would
hold a session for up to ~20 s); when it is back the chat resumes and every open socket is
re-announced (`resync`): the origin may have dropped this edge's clients meanwhile.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import anyio
import coredis
import coredis.exceptions
import trio
from coredis.retry import NoRetryPolicy
from coredis.tokens import PureToken

from owncastd.edge.chat import EdgeChat, Entry
from owncastd.edge.config import EdgeConfig

log = logging.getLogger(__name__)

INBOX_LIMIT = 10_000  # client events waiting for Redis
STREAM_MAXLEN = 100_000
BACKOFF_FIRST = 0.2
BACKOFF_MAX = 2.0
REDIS_TIMEOUT = 5.0
KEPT_WHILE_DOWN = ("connect", "disconnect")  # a message is refused while paused, not queued

Control = Callable[[dict[str, Any]], None]
Stats = Callable[[], dict[str, str]]
REDIS_DOWN = (
    coredis.exceptions.ConnectionError,
    coredis.exceptions.RedisError,
    OSError,
    trio.TooSlowError,
    # coredis's connection tasks, when the server goes (or while cancelled at shutdown)
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
)


class EdgeBus:
    """Keeps the edge connected to Redis and moves chat frames and events across it."""

    def __init__(
        self, config: EdgeConfig, chat: EdgeChat, *, on_control: Control, stats: Stats
    ) -> None:
        self.config = config
        self._chat = chat
        self._on_control = on_control
        self._stats = stats
        self._send, self._inbox = trio.open_memory_channel[Entry](INBOX_LIMIT)
        self._retry: Entry | None = None  # taken from the inbox when Redis went
        self._redis: coredis.Redis[bytes] | None = None  # while a session is up
        self.redis_ok = False
        self._outage_logged = False
        self.lag_ms = 0.0
        self.sessions = 0
        self.started_at = time.time()
        self._out = config.key("chat", "out")
        self._control = config.key("cluster", "control")

    def post(self, entry: Entry) -> bool:
        """Queue a client event for `P:chat:in`; False when the queue is full."""
        try:
            self._send.send_nowait(entry)
        except trio.WouldBlock:
            return False
        return True

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Connect, serve, and reconnect with a backoff until cancelled (started at once: the
        edge serves its routes while Redis is still away)."""
        task_status.started()
        delay = BACKOFF_FIRST
        while True:
            try:
                await self._session()
            except* REDIS_DOWN as failed:
                reason = "; ".join(repr(exc)[:200] for exc in _leaves(failed))
                stopping = trio.current_effective_deadline() == -math.inf
                if not stopping and not self._outage_logged:  # one line per outage
                    what = "edge lost redis" if self.redis_ok else "edge cannot reach redis"
                    log.warning("%s reason=%s retrying", what, reason)
                    self._outage_logged = True
            self._went_down()
            await trio.sleep(delay)
            delay = BACKOFF_FIRST if self.redis_ok else min(delay * 2, BACKOFF_MAX)

    def _went_down(self) -> None:
        self.redis_ok = False
        self._redis = None
        self._chat.pause()

    async def _session(self) -> None:
        redis = coredis.Redis.from_url(
            self.config.redis_url,
            decode_responses=False,
            stream_timeout=REDIS_TIMEOUT,
            connect_timeout=REDIS_TIMEOUT,
            retry_policy=NoRetryPolicy(),
        )
        pubsub = redis.pubsub(channels=[self._out, self._control], retry_policy=NoRetryPolicy())
        async with redis, pubsub:
            await redis.ping()
            self.sessions += 1
            self.redis_ok = True
            self._outage_logged = False
            self._redis = redis
            log.info("edge connected to redis session=%d", self.sessions)
            self._chat.resume()
            if self.sessions > 1:
                self._chat.resync()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._writer, redis)
                nursery.start_soon(self._heartbeats, redis)
                async for message in pubsub:
                    self._dispatch(message)

    async def goodbye(self, entries: list[Entry]) -> None:
        """On a clean stop: post `entries` (the sockets' disconnects) and remove this edge's
        heartbeat, so the origin drops its clients now rather than after the TTL (≤ 2 s)."""
        redis, config = self._redis, self.config
        if redis is None:
            return
        with trio.move_on_after(2):
            try:
                for entry in entries:
                    await self._xadd(redis, entry)
                await redis.delete([config.key("edge", config.edge_id)])
                await redis.zrem(config.key("edges"), [config.edge_id])
            except* REDIS_DOWN:
                log.warning("edge could not say goodbye: redis is unreachable")

    async def _xadd(self, redis: coredis.Redis[bytes], entry: Entry) -> None:
        await redis.xadd(
            self.config.key("chat", "in"),
            dict(entry),
            trim_strategy=PureToken.MAXLEN,
            threshold=STREAM_MAXLEN,
            trim_operator=PureToken.APPROXIMATELY,
        )

    def _dispatch(self, message: Any) -> None:
        if message.get("type") != "message":
            return
        channel, data = message["channel"], message["data"]
        if isinstance(channel, bytes):
            channel = channel.decode()
        if not isinstance(data, bytes):
            data = str(data).encode()
        if channel == self._out:
            self._chat.deliver(data)
            return
        try:
            control = json.loads(data)
        except ValueError:
            log.warning("edge ignored a control message that is not JSON")
            return
        if isinstance(control, dict):
            self._on_control(control)

    async def _writer(self, redis: coredis.Redis[bytes]) -> None:
        while True:
            entry = self._retry or await self._inbox.receive()
            self._retry = entry if entry["kind"] in KEPT_WHILE_DOWN else None
            await self._xadd(redis, entry)
            self._retry = None

    async def _heartbeats(self, redis: coredis.Redis[bytes]) -> None:
        config = self.config
        key = config.key("edge", config.edge_id)
        while True:
            began = time.perf_counter()
            with trio.fail_after(REDIS_TIMEOUT):
                await redis.ping()
            self.lag_ms = (time.perf_counter() - began) * 1000
            now = time.time()
            fields = {
                "url": config.public_url,
                "started_at": f"{self.started_at:.3f}",
                "updated_at": f"{now:.3f}",
                "lag_ms": f"{self.lag_ms:.2f}",
                "redis_ok": "1",
                **self._stats(),
            }
            with trio.fail_after(REDIS_TIMEOUT):
                await redis.hset(key, fields)
                await redis.expire(key, max(1, math.ceil(config.edge_ttl_seconds)))
                await redis.zadd(config.key("edges"), {config.edge_id: now})
            await trio.sleep(config.heartbeat_seconds)


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    """The exceptions inside (possibly nested) groups."""
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found

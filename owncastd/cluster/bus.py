"""Publishing to the edges: chat frames and control messages, in order, never blocking the
room (a bounded queue drained by one task). While Redis is down publishes are dropped (counted)
and the origin keeps serving its own sockets."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import coredis
import trio

from owncastd.cluster.keys import ClusterKeys

log = logging.getLogger(__name__)

QUEUE_LIMIT = 50_000
PING_SECONDS = 1.0


class RedisHealth:
    """Whether Redis answers, and how fast (the last PING round trip)."""

    def __init__(self) -> None:
        self.ok = False
        self.latency_ms = 0.0

    def note(self, ok: bool, latency_ms: float = 0.0) -> None:
        """Record one observation; logs the transitions."""
        if ok != self.ok:
            (log.info if ok else log.error)("cluster redis %s", "up" if ok else "unreachable")
        self.ok = ok
        if ok:
            self.latency_ms = latency_ms


class RedisBus:
    """The origin's publisher (a `core.cluster.ports.ClusterBus`)."""

    def __init__(self, redis: coredis.Redis[Any], keys: ClusterKeys, health: RedisHealth) -> None:
        self._redis = redis
        self._keys = keys
        self.health = health
        self._send, self._receive = trio.open_memory_channel[tuple[str, bytes]](QUEUE_LIMIT)
        self.dropped = 0

    def publish_chat(self, data: bytes) -> None:
        self._queue(self._keys.chat_out, data)

    def publish_control(self, message: dict[str, Any]) -> None:
        self._queue(self._keys.control, json.dumps(message, separators=(",", ":")).encode())

    def _queue(self, channel: str, data: bytes) -> None:
        try:
            self._send.send_nowait((channel, data))
        except trio.WouldBlock:
            self.dropped += 1

    async def publish_now(self, channel: str, data: bytes) -> None:
        """Publish at once (outside the queue), raising what Redis raised."""
        await self._redis.publish(channel, data)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Publish what is queued, and PING Redis every second, until cancelled."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._pinger)
            task_status.started()
            async for channel, data in self._receive:
                try:
                    await self._redis.publish(channel, data)
                except (coredis.exceptions.RedisError, OSError):
                    self.dropped += 1
                    self.health.note(False)

    async def _pinger(self) -> None:
        while True:
            started = time.perf_counter()
            try:
                with trio.fail_after(PING_SECONDS * 2):
                    await self._redis.ping()
                self.health.note(True, (time.perf_counter() - started) * 1000)
            except (coredis.exceptions.RedisError, OSError, trio.TooSlowError):
                self.health.note(False)
            await trio.sleep(PING_SECONDS)

"""The cluster origin service: the publisher, the inbound consumer and the heartbeat scan, and
what the admin route and Prometheus see of them."""

from __future__ import annotations

import logging
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import coredis
import trio

from owncastd.cluster.bus import RedisBus, RedisHealth
from owncastd.cluster.consumer import StreamConsumer
from owncastd.cluster.heartbeats import forget_edges, scan_edges
from owncastd.cluster.keys import ClusterKeys, masked_url
from owncastd.cluster.metrics import ClusterCollector
from owncastd.config.editor import SettingsChanged
from owncastd.config.settings import ClusterSettings
from owncastd.core.chat.events import ChatEvent, ModeratorChanged, NameChanged, UserDisabled
from owncastd.core.chat.room import ChatRoom
from owncastd.core.cluster.edges import EdgeTable
from owncastd.core.cluster.remote import RemoteClients, disconnect

log = logging.getLogger(__name__)


def consumer_name() -> str:
    """This origin's consumer name: stable across restarts (its pending entries come back)."""
    return f"origin@{socket.gethostname()}"


class ClusterOrigin:
    """Everything the origin runs for its edges."""

    def __init__(
        self,
        settings: ClusterSettings,
        room: ChatRoom,
        *,
        stored: Callable[[Sequence[str]], Awaitable[set[str]]],
        flush: Callable[[], Awaitable[None]],
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.keys = ClusterKeys(settings.prefix)
        self.instance = secrets.token_hex(8)  # new at each start: edges resync on a new one
        self.health = RedisHealth()
        self.redis: coredis.Redis[Any] = coredis.Redis.from_url(
            settings.redis_url, decode_responses=True, stream_timeout=10, connect_timeout=2
        )
        self.bus = RedisBus(self.redis, self.keys, self.health)
        self.remote = RemoteClients(room, self.bus)
        self.edges = EdgeTable()
        self.consumer = StreamConsumer(
            self.redis,
            self.keys,
            consumer_name(),
            self.remote.handle,
            stored=stored,
            flush=flush,
            health=self.health,
        )
        self._wall = wall
        self._started = wall()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Announce the start, then consume and scan until cancelled."""
        async with self.redis, trio.open_nursery() as nursery:
            await nursery.start(self.bus.run)
            await self._announce()
            await nursery.start(self.consumer.run)
            nursery.start_soon(self._scan_loop)
            log.info("cluster origin started prefix=%s", self.keys.prefix)
            task_status.started()

    async def _announce(self) -> None:
        message = {"type": "origin_started", "instance": self.instance}
        try:
            await self.bus.publish_now(self.keys.control, _json(message))
            self.health.note(True)
        except (coredis.exceptions.RedisError, OSError):
            self.health.note(False)
            self.bus.publish_control(message)  # sent once Redis answers

    async def _scan_loop(self) -> None:
        while True:
            try:
                await self.scan()
            except (coredis.exceptions.RedisError, OSError) as exc:
                log.debug("cluster heartbeat scan failed error=%s", exc)
            await trio.sleep(self.settings.heartbeat_seconds)

    async def scan(self) -> None:
        """Read the heartbeats; drop the clients of edges gone (or never heard of once the
        TTL has passed since this start)."""
        now, ttl = self._wall(), float(self.settings.edge_ttl_seconds)
        gone = self.edges.update(await scan_edges(self.redis, self.keys), now, ttl)
        await forget_edges(self.redis, self.keys, gone)
        if now - self._started > ttl:
            gone += sorted(self.remote.edges() - set(self.edges.live) - set(gone))
        for edge in gone:
            dropped = self.remote.drop_edge(edge)
            log.warning("cluster edge gone edge=%s clients=%d", edge, dropped)

    def problem(self) -> str | None:
        """The health probe's degraded reason while Redis does not answer."""
        if self.health.ok:
            return None
        return "cluster: Redis is unreachable; edges' chat is paused"

    def viewers(self) -> int:
        """The viewers of the live edges (added to the origin's own count)."""
        return self.edges.viewers()

    def user_deleted(self, user_id: str) -> None:
        """The admin deleted a user: edges drop its cached token and close its sockets."""
        self.bus.publish_control({"type": "token_revoked", "user": user_id})
        self.bus.publish_control(disconnect("u:" + user_id))

    def on_chat_event(self, event: ChatEvent) -> None:
        """A user's token answer changed (disabled, moderator, name): edges drop the cache."""
        if isinstance(event, UserDisabled | ModeratorChanged | NameChanged):
            self.bus.publish_control({"type": "token_revoked", "user": event.user.id})

    def on_settings_changed(self, change: SettingsChanged) -> None:
        """Settings edges may cache changed."""
        self.bus.publish_control({"type": "chat_config"})

    def collector(self) -> ClusterCollector:
        """The Prometheus gauges of this origin's edges."""
        return ClusterCollector(lambda: list(self.edges.live.values()), lambda: self.health.ok)

    def status_json(self) -> dict[str, Any]:
        """`GET /api/admin/cluster`."""
        return {
            "role": "origin",
            "redis": {
                "ok": self.health.ok,
                "url": masked_url(self.settings.redis_url),
                "latencyMs": round(self.health.latency_ms, 2),
            },
            "edges": [e.to_json() for e in sorted(self.edges.live.values(), key=lambda e: e.id)],
        }


def _json(message: dict[str, Any]) -> bytes:
    import json

    return json.dumps(message, separators=(",", ":")).encode()

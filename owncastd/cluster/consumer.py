"""The inbound stream consumer (contract §3): consumer group `origin` on `P:chat:in`.

On start it re-reads this consumer's pending entries (`XREADGROUP … 0`: delivered before a
crash but never acknowledged), then new ones (`>`). A batch is handled in order, the store's
writer is flushed (what the batch persisted is committed) and only then is the batch XACKed.
A message entry whose message is already stored (handled, not acknowledged) is skipped, so a
restart never repeats a message in history or on screen.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import coredis
import trio

from owncastd.cluster.bus import RedisHealth
from owncastd.cluster.keys import GROUP, ClusterKeys
from owncastd.core.cluster.entries import InboundEntry

log = logging.getLogger(__name__)

BATCH = 200
BLOCK_MS = 1000
RETRY_SECONDS = 1.0

Handler = Callable[[InboundEntry], Awaitable[None]]


class StreamConsumer:
    """Reads, handles and acknowledges the edges' client events."""

    def __init__(
        self,
        redis: coredis.Redis[Any],
        keys: ClusterKeys,
        consumer: str,
        handle: Handler,
        *,
        stored: Callable[[Sequence[str]], Awaitable[set[str]]],
        flush: Callable[[], Awaitable[None]],
        health: RedisHealth,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.consumer = consumer
        self._handle = handle
        self._stored = stored
        self._flush = flush
        self._health = health
        self.handled = 0

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Until cancelled; a failure (Redis, the store) is retried every second."""
        task_status.started()
        pending = True
        while True:
            try:
                await self._ensure_group()
                while True:
                    got = await self._read("0" if pending else ">")
                    if pending and not got:
                        pending = False  # the backlog of this consumer is done
            except (coredis.exceptions.RedisError, OSError) as exc:
                self._health.note(False)
                log.warning("cluster stream read failed error=%s", exc)
            except Exception:  # e.g. the store could not commit: the batch stays unacknowledged
                log.exception("cluster batch not acknowledged; retrying")
            pending = True  # what was delivered but not acknowledged comes again
            await trio.sleep(RETRY_SECONDS)

    async def _ensure_group(self) -> None:
        with contextlib.suppress(coredis.exceptions.StreamDuplicateConsumerGroupError):
            await self._redis.xgroup_create(self._keys.chat_in, GROUP, "0", mkstream=True)

    async def _read(self, start: str) -> int:
        """Handle one batch; returns how many entries it held."""
        block = None if start == "0" else BLOCK_MS
        answer = await self._redis.xreadgroup(
            GROUP, self.consumer, streams={self._keys.chat_in: start}, count=BATCH, block=block
        )
        raw = [entry for entries in (answer or {}).values() for entry in entries]
        if not raw:
            return 0
        await self.handle_batch([(e.identifier, e.field_values or {}) for e in raw])
        await self._redis.xack(self._keys.chat_in, GROUP, [e.identifier for e in raw])
        return len(raw)

    async def handle_batch(self, raw: list[tuple[Any, Any]]) -> None:
        """Handle entries in order (skipping messages already stored), then flush the store."""
        entries = [
            InboundEntry.parse(str(i), {str(k): str(v) for k, v in f.items()}) for i, f in raw
        ]
        ids = [e.message_id for e in entries if e is not None and e.kind == "message"]
        done = await self._stored(ids) if ids else set()
        for entry in entries:
            if entry is None or (entry.kind == "message" and entry.message_id in done):
                continue
            try:
                await self._handle(entry)
            except Exception:
                log.exception("cluster entry failed id=%s kind=%s", entry.entry_id, entry.kind)
            self.handled += 1
        await self._flush()

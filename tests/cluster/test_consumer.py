"""The inbound consumer (contract §3) against a real redis-server: an entry is acknowledged only
after the store committed what handling it wrote; a failed commit leaves the batch pending, and
it is handled again (its messages skipped if they were stored)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import trio

from owncastd.cluster.bus import RedisHealth
from owncastd.cluster.consumer import StreamConsumer
from owncastd.cluster.keys import GROUP, ClusterKeys
from owncastd.core.cluster.entries import InboundEntry
from tests.cluster_fixtures import RedisServer, TestEdge, redis_server_fixture

__all__ = ["redis_server_fixture"]


async def test_a_failed_commit_leaves_the_batch_pending_until_it_succeeds(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    handled: list[str] = []
    flushes: list[bool] = []
    progress = trio.Event()

    async def handle(entry: InboundEntry) -> None:
        handled.append(entry.entry_id)

    async def stored(ids: Sequence[str]) -> set[str]:
        return set()

    async def flush() -> None:
        nonlocal progress
        flushes.append(len(flushes) > 0)
        progress.set()
        progress = trio.Event()
        if len(flushes) == 1:
            raise sqlite3.OperationalError("database or disk is full")  # what Store.write raises

    async with redis_server.client() as redis:
        edge = TestEdge(redis, "edge-c")
        ids = [await edge.xadd("connect", f"edge-c/{n}", "u1") for n in range(3)]
        consumer = StreamConsumer(
            redis, ClusterKeys(), "origin@test", handle,
            stored=stored, flush=flush, health=RedisHealth(),
        )  # fmt: skip
        await nursery.start(consumer.run)
        with trio.fail_after(10):
            while len(flushes) < 2:
                await progress.wait()
            while (await redis.xpending("owncastd:chat:in", GROUP)).pending:  # noqa: ASYNC110
                await trio.sleep(0.02)
        assert handled == ids + ids  # once before the failed commit, once after
        nursery.cancel_scope.cancel()

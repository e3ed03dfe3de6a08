"""Reading the edges' heartbeats (contract §5): `P:edges` scores and `P:edge:<id>` hashes."""

from __future__ import annotations

from typing import Any

import coredis

from owncastd.cluster.keys import ClusterKeys
from owncastd.core.cluster.edges import EdgeStatus


async def scan_edges(redis: coredis.Redis[Any], keys: ClusterKeys) -> list[EdgeStatus]:
    """Every edge in `P:edges`; one whose hash expired gets an empty status (never alive)."""
    members = await redis.zrange(keys.edges, 0, -1, withscores=True)
    seen: list[EdgeStatus] = []
    for member in members:
        edge_id, score = str(member.member), float(member.score)
        fields = await redis.hgetall(keys.edge(edge_id))
        if not fields:
            seen.append(EdgeStatus(edge_id, updated_at=0.0))
            continue
        seen.append(EdgeStatus.parse(edge_id, {str(k): str(v) for k, v in fields.items()}, score))
    return seen


async def forget_edges(redis: coredis.Redis[Any], keys: ClusterKeys, ids: list[str]) -> None:
    """Remove gone edges from `P:edges`."""
    if ids:
        await redis.zrem(keys.edges, ids)

"""Edges as their heartbeats describe them (contract §5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def _int(value: str | None) -> int:
    try:
        return max(0, int(float(value or 0)))
    except ValueError:
        return 0


def _float(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class EdgeStatus:
    """One edge's last heartbeat (`P:edge:<id>`)."""

    id: str
    url: str = ""
    sockets: int = 0
    viewers: int = 0
    lag_ms: float = 0.0
    updated_at: float = 0.0  # unix seconds
    redis_ok: bool = True
    version: str = ""

    @classmethod
    def parse(cls, edge_id: str, fields: Mapping[str, str], score: float) -> EdgeStatus:
        """From the hash's fields; `score` (the `P:edges` entry) when `updated_at` is missing."""
        return cls(
            id=edge_id,
            url=fields.get("url", ""),
            sockets=_int(fields.get("sockets")),
            viewers=_int(fields.get("viewers")),
            lag_ms=_float(fields.get("lag_ms")),
            updated_at=_float(fields.get("updated_at")) or score,
            redis_ok=fields.get("redis_ok", "1").lower() not in ("0", "false", "no", ""),
            version=fields.get("version", ""),
        )

    def alive(self, now: float, ttl: float) -> bool:
        """Heard from within `ttl` seconds."""
        return now - self.updated_at <= ttl

    def to_json(self) -> dict[str, object]:
        """`GET /api/admin/cluster`'s edge object."""
        return {
            "id": self.id,
            "url": self.url,
            "sockets": self.sockets,
            "viewers": self.viewers,
            "lagMs": round(self.lag_ms, 1),
            "lastSeen": self.updated_at,
            "redisOk": self.redis_ok,
        }


class EdgeTable:
    """The live edges of the last heartbeat scan."""

    def __init__(self) -> None:
        self.live: dict[str, EdgeStatus] = {}

    def update(self, seen: list[EdgeStatus], now: float, ttl: float) -> list[str]:
        """Keep the edges heard from within `ttl`; returns the ids of those that were live
        before or were seen now but are not live any more."""
        alive = {edge.id: edge for edge in seen if edge.alive(now, ttl)}
        gone = sorted((set(self.live) | {e.id for e in seen}) - set(alive))
        self.live = alive
        return gone

    def viewers(self) -> int:
        """The viewers counted by the live edges."""
        return sum(edge.viewers for edge in self.live.values())

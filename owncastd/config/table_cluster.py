"""Settings table: origin and edges over Redis (`[cluster]`, issue 18). File and env only.

With `role = "single"` (the default) nothing of the cluster runs and Redis is not needed. The
wire contract between origin and edges is in `owncastd/cluster/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from owncastd.config import checks as c
from owncastd.config.setting import RESTART, Setting, entry

ROLES = ("single", "origin", "edge")


def _role(value: str) -> str | None:
    return (
        None if value in ROLES else f"must be one of {', '.join(ROLES)} (got {c.describe(value)})"
    )


def _prefix(value: str) -> str | None:
    if not value or len(value) > 64 or any(ch.isspace() or ch == ":" for ch in value):
        return "must be 1-64 characters without spaces or ':'"
    return None


def _secret(value: str) -> str | None:
    # Never echo the value: it is a secret.
    if len(value) > 512 or any(ch.isspace() for ch in value):
        return "must be at most 512 characters without whitespace"
    return None


def cluster_cross(section: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of an origin or edge that misses a key it needs."""
    role = section.get("role") or "single"
    if role == "single":
        return []
    needed = ["redis_url", "secret"] + (["origin_url"] if role == "edge" else [])
    return [
        (f"[cluster] {key}", f'required when role is "{role}"')
        for key in needed
        if not section.get(key)
    ]


CLUSTER: tuple[Setting, ...] = (
    entry("cluster.role", "single, origin or edge", check=_role, applies=RESTART),
    entry(
        "cluster.redis_url",
        "Redis URL, e.g. redis://127.0.0.1:6379/0 (may carry a password)",
        check=c.url(("redis", "rediss"), secret=True),
        secret=True,
        applies=RESTART,
    ),
    entry("cluster.prefix", "Prefix of the cluster's Redis keys", check=_prefix, applies=RESTART),
    entry(
        "cluster.secret",
        "Secret shared by the origin and its edges (X-Owncastd-Cluster)",
        check=_secret,
        secret=True,
    ),
    entry(
        "cluster.origin_url",
        "The origin's base URL (edges only)",
        check=c.http_url(),
        applies=RESTART,
    ),
    entry("cluster.edge_id", "This edge's id (edges only; default hostname-port)", applies=RESTART),
    entry(
        "cluster.heartbeat_seconds",
        "Seconds between edge heartbeats",
        check=c.int_range(1, 60),
        applies=RESTART,
    ),
    entry(
        "cluster.edge_ttl_seconds",
        "Seconds without a heartbeat after which an edge counts as gone",
        check=c.int_range(2, 600),
        applies=RESTART,
    ),
)

"""What an edge needs to know to run (from `[cluster]` and `owncastd edge`'s flags)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

REDIS_KEY_SEPARATOR = ":"


@dataclass(frozen=True)
class EdgeConfig:
    """An edge's cluster settings; `secret` and `redis_url` (may carry a password) are never
    logged."""

    origin_url: str
    redis_url: str = field(repr=False)
    secret: str = field(default="", repr=False)
    prefix: str = "owncastd"
    edge_id: str = ""
    public_url: str = ""  # this edge's own URL, shown in heartbeats
    heartbeat_seconds: float = 1.0
    edge_ttl_seconds: int = 5

    def key(self, *parts: str) -> str:
        """A Redis key or channel under the prefix: `key("chat", "out")` → `P:chat:out`."""
        return REDIS_KEY_SEPARATOR.join((self.prefix, *parts))

    def with_port(self, port: int) -> EdgeConfig:
        """Fill the defaults that depend on the bound port (edge id, public URL)."""
        edge_id = self.edge_id or f"{socket.gethostname()}-{port}"
        url = self.public_url or f"http://{socket.gethostname()}:{port}"
        return EdgeConfig(
            origin_url=self.origin_url,
            redis_url=self.redis_url,
            secret=self.secret,
            prefix=self.prefix,
            edge_id=edge_id,
            public_url=url,
            heartbeat_seconds=self.heartbeat_seconds,
            edge_ttl_seconds=self.edge_ttl_seconds,
        )

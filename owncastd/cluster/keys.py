"""The cluster's Redis keys and channels under one prefix (P)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

GROUP = "origin"  # the consumer group of P:chat:in


@dataclass(frozen=True)
class ClusterKeys:
    """`P:chat:out`, `P:cluster:control`, `P:chat:in`, `P:edges`, `P:edge:<id>`."""

    prefix: str = "owncastd"

    @property
    def chat_out(self) -> str:
        return f"{self.prefix}:chat:out"

    @property
    def control(self) -> str:
        return f"{self.prefix}:cluster:control"

    @property
    def chat_in(self) -> str:
        return f"{self.prefix}:chat:in"

    @property
    def edges(self) -> str:
        return f"{self.prefix}:edges"

    def edge(self, edge_id: str) -> str:
        return f"{self.prefix}:edge:{edge_id}"


def masked_url(url: str) -> str:
    """The Redis URL with its password (or lone user secret) replaced by `***`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "***"
    if parts.password is None and parts.username is None:
        return url
    user = parts.username if parts.password is not None else None
    netloc = f"{user}:***@" if user else "***@"
    netloc += f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

"""One inbound stream entry from an edge (`P:chat:in`, contract §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

KINDS = ("connect", "resync", "message", "disconnect")


@dataclass(frozen=True)
class InboundEntry:
    """An edge's client event; `entry_id` is the Redis stream entry id."""

    entry_id: str
    kind: str
    edge: str
    client: str
    user: str = ""
    ip: str = ""
    ua: str = ""
    body: str = ""

    @property
    def message_id(self) -> str:
        """The id of the chat message this entry creates: derived from the entry id, so an
        entry handled twice creates the same message (stored insert-or-ignore)."""
        return "r" + self.entry_id

    @property
    def sent_at(self) -> float | None:
        """When the edge added the entry (seconds, from the stream id Redis assigned): a
        backlog replayed after an origin restart is rate-limited by when it was sent."""
        millis, _, _ = self.entry_id.partition("-")
        return int(millis) / 1000 if millis.isdigit() else None

    @classmethod
    def parse(cls, entry_id: str, fields: Mapping[str, str]) -> InboundEntry | None:
        """The entry, or None when it lacks its kind, edge or client."""
        kind, edge, client = fields.get("kind", ""), fields.get("edge", ""), fields.get("client")
        if kind not in KINDS or not edge or not client:
            return None
        return cls(
            entry_id,
            kind,
            edge,
            client,
            user=fields.get("user", ""),
            ip=fields.get("ip", ""),
            ua=fields.get("ua", "")[:512],
            body=fields.get("body", ""),
        )

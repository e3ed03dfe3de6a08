"""One chat connection as the room sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owncastd.core.chat.models import ChatUser, rfc3339
from owncastd.core.chat.pipeline import InboundGate
from owncastd.core.chat.ports import Outbox


@dataclass(eq=False, slots=True)  # thousands at once: no per-instance __dict__
class ChatClient:
    """A connected websocket: its user (kept current by the room), address and counters."""

    id: int
    user: ChatUser
    outbox: Outbox
    ip_address: str
    user_agent: str
    connected_at: datetime
    gate: InboundGate
    message_count: int = 0
    connected: bool = True

    def to_json(self) -> dict[str, Any]:
        """`/api/admin/chat/clients` and moderation details (Owncast hides the IP address)."""
        return {
            "id": self.id,
            "connectedAt": rfc3339(self.connected_at),
            "user": self.user.to_json(),
            "geo": None,
            "userAgent": self.user_agent,
            "messageCount": self.message_count,
        }

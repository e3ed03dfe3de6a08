"""What chat listeners (webhooks, metrics, the TUI) observe, as past-tense frozen dataclasses.

Subscribe with `ChatRoom.subscribe(listener)`; listeners are called synchronously from the room
and must not block (queue the work). `event_data()` gives Owncast's webhook `eventData`
(reference §4.3) without the `status`/`serverURL` envelope the webhook sender adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owncastd.core.chat.models import ChatMessage, ChatUser, rfc3339


@dataclass(frozen=True)
class ChatMessageSent:
    """A CHAT message was broadcast (from a user, or a bot when `message.user.is_bot`)."""

    message: ChatMessage

    webhook_type = "CHAT"

    def event_data(self) -> dict[str, Any]:
        """`{user, timestamp, body, rawBody, id, clientId, visible}`."""
        m = self.message
        return {
            "user": m.user.to_json() if m.user else None,
            "timestamp": rfc3339(m.timestamp),
            "body": m.body,
            "rawBody": m.raw_body,
            "id": m.id,
            "clientId": m.client_id or 0,
            "visible": m.visible,
        }


@dataclass(frozen=True)
class UserJoined:
    """A user's first connection while the stream is live."""

    id: str
    at: datetime
    user: ChatUser
    client_id: int

    webhook_type = "USER_JOINED"

    def event_data(self) -> dict[str, Any]:
        """`{id, timestamp, user}`."""
        return {"id": self.id, "timestamp": rfc3339(self.at), "user": self.user.to_json()}


@dataclass(frozen=True)
class UserParted:
    """10 s after a user's last connection closed (sent even when part messages are off)."""

    id: str
    at: datetime
    user: ChatUser

    webhook_type = "USER_PARTED"

    def event_data(self) -> dict[str, Any]:
        """`{id, timestamp, user}`."""
        return {"id": self.id, "timestamp": rfc3339(self.at), "user": self.user.to_json()}


@dataclass(frozen=True)
class NameChanged:
    """A user renamed themselves."""

    id: str
    at: datetime
    user: ChatUser
    old_name: str
    client_id: int

    webhook_type = "NAME_CHANGE"

    def event_data(self) -> dict[str, Any]:
        """`{id, timestamp, user, newName}`."""
        return {
            "id": self.id,
            "timestamp": rfc3339(self.at),
            "user": self.user.to_json(),
            "newName": self.user.display_name,
        }


@dataclass(frozen=True)
class VisibilityChanged:
    """Moderators hid or showed messages."""

    id: str
    at: datetime
    ids: tuple[str, ...]
    visible: bool

    webhook_type = "VISIBILITY-UPDATE"

    def event_data(self) -> dict[str, Any]:
        """`{id, timestamp, user: null, visible, ids}`."""
        return {
            "id": self.id,
            "timestamp": rfc3339(self.at),
            "user": None,
            "visible": self.visible,
            "ids": list(self.ids),
        }


@dataclass(frozen=True)
class UserDisabled:
    """A user was disabled (banned) or re-enabled by a moderator or the admin."""

    at: datetime
    user: ChatUser
    enabled: bool
    banned_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModeratorChanged:
    """A user gained or lost the MODERATOR scope."""

    at: datetime
    user: ChatUser


@dataclass(frozen=True)
class SystemMessageSent:
    """A SYSTEM or CHAT_ACTION notice was broadcast (`kind` is the wire type)."""

    id: str
    at: datetime
    kind: str
    body: str


ChatEvent = (
    ChatMessageSent
    | UserJoined
    | UserParted
    | NameChanged
    | VisibilityChanged
    | UserDisabled
    | ModeratorChanged
    | SystemMessageSent
)
ChatListener = Callable[[ChatEvent], None]

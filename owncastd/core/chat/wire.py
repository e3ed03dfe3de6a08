"""Owncast's websocket events (reference §2.4), encoded once per event.

An :class:`Outgoing` holds the UTF-8 JSON of one event; the room hands the same object to every
client, and a transport may cache its framed bytes in `wire` so the framing is done once too.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from owncastd.core.chat.models import ChatUser, rfc3339

CHAT = "CHAT"
USER_JOINED = "USER_JOINED"
USER_PARTED = "USER_PARTED"
NAME_CHANGE = "NAME_CHANGE"
COLOR_CHANGE = "COLOR_CHANGE"
SYSTEM = "SYSTEM"
CHAT_ACTION = "CHAT_ACTION"
VISIBILITY_UPDATE = "VISIBILITY-UPDATE"
CONNECTED_USER_INFO = "CONNECTED_USER_INFO"
ERROR_USER_DISABLED = "ERROR_USER_DISABLED"
ERROR_NEEDS_REGISTRATION = "ERROR_NEEDS_REGISTRATION"
ERROR_MAX_CONNECTIONS_EXCEEDED = "ERROR_MAX_CONNECTIONS_EXCEEDED"


def new_id() -> str:
    """A short random id like Owncast's shortid (10 URL-safe characters)."""
    return secrets.token_urlsafe(8)[:10]


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class Outgoing:
    """One encoded server event, shared by every recipient."""

    __slots__ = ("payload", "type", "wire")

    def __init__(self, event_type: str, payload: bytes) -> None:
        self.type = event_type
        self.payload = payload
        # Transport cache: the payload framed for the wire, filled by the first client.
        self.wire: bytes | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Outgoing:
        """Encode `data` (which must have a `type`)."""
        return cls(str(data["type"]), encode(data))

    def __repr__(self) -> str:
        return f"Outgoing({self.type}, {len(self.payload)} bytes)"


def base(event_type: str, event_id: str, at: datetime) -> dict[str, Any]:
    """The fields every event has: `type`, `id`, `timestamp`."""
    return {"type": event_type, "id": event_id, "timestamp": rfc3339(at)}


def chat_event(
    event_id: str, at: datetime, user: ChatUser, body: str, *, visible: bool = True
) -> dict[str, Any]:
    """A live `CHAT` event."""
    return {**base(CHAT, event_id, at), "user": user.to_json(), "body": body, "visible": visible}


def user_event(event_type: str, event_id: str, at: datetime, user: ChatUser) -> dict[str, Any]:
    """`USER_JOINED`, `USER_PARTED`, `CONNECTED_USER_INFO` and `ERROR_USER_DISABLED`."""
    return {**base(event_type, event_id, at), "user": user.to_json()}


def name_change_event(event_id: str, at: datetime, user: ChatUser, old_name: str) -> dict[str, Any]:
    """`NAME_CHANGE` with the renamed user and `oldName`."""
    return {**base(NAME_CHANGE, event_id, at), "user": user.to_json(), "oldName": old_name}


def system_event(event_id: str, at: datetime, body: str, server_name: str) -> dict[str, Any]:
    """`SYSTEM`: rendered markdown from the server, signed with the server's name."""
    return {**base(SYSTEM, event_id, at), "body": body, "user": {"displayName": server_name}}


def action_event(event_id: str, at: datetime, body: str) -> dict[str, Any]:
    """`CHAT_ACTION`: a server notice (rendered markdown)."""
    return {**base(CHAT_ACTION, event_id, at), "body": body}


def visibility_event(event_id: str, at: datetime, ids: list[str], visible: bool) -> dict[str, Any]:
    """`VISIBILITY-UPDATE` for moderated messages."""
    return {**base(VISIBILITY_UPDATE, event_id, at), "ids": ids, "visible": visible}


NEEDS_REGISTRATION = Outgoing.of({"type": ERROR_NEEDS_REGISTRATION})
USER_DISABLED_ON_CONNECT = Outgoing.of({"type": ERROR_USER_DISABLED})

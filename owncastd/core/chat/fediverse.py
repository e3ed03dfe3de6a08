"""Fediverse engagement in chat (develop §1.6, reference §2.4): the live event is broadcast,
then kept in `messages` like Owncast's `SendFediverseAction` (no user; the remote account in
`title`, its avatar in `image`, its actor IRI in `link`), so the admin history shows it and the
pruner drops it after the retention time; the user-facing history (a join on users) never does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from owncastd.core.chat import wire
from owncastd.core.chat.models import ChatMessage
from owncastd.core.chat.room import ChatRoom


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def engagement_message(event: Mapping[str, Any]) -> ChatMessage:
    """The `messages` row of a ``FEDIVERSE_ENGAGEMENT_*`` chat event."""
    return ChatMessage(
        id=str(event["id"]),
        type=str(event["type"]),
        body=str(event.get("body") or ""),
        timestamp=datetime.fromisoformat(str(event["timestamp"])),
        title=_text(event.get("title")),
        image=_text(event.get("image")),
        link=_text(event.get("link")),
    )


def engagement_publisher(room: ChatRoom) -> Callable[[dict[str, Any]], None]:
    """Broadcast an engagement event to chat, then queue its row to the store."""

    def publish(event: dict[str, Any]) -> None:
        room.broadcast(wire.Outgoing.of(event))
        room.persist(engagement_message(event))

    return publish

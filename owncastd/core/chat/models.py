"""Chat users and messages as the domain sees them (reference §2.6, §7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from owncastd.core.federation.models import FOLLOW, LIKE, REPOST

MODERATOR = "MODERATOR"
USER_TYPE_STANDARD = "STANDARD"
USER_TYPE_API = "API"
MAX_USER_COLOR = 7
# Fediverse engagement rows: kept without a user, shown from the title/image/link columns.
FEDIVERSE_ENGAGEMENT = frozenset({FOLLOW, LIKE, REPOST})


def rfc3339(value: datetime) -> str:
    """A UTC timestamp as Owncast's clients expect (`2026-01-01T12:00:00.123Z`)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ChatUser:
    """A chat user or an integration bot (Owncast's `User`)."""

    id: str
    display_name: str
    display_color: int
    created_at: datetime
    disabled_at: datetime | None = None
    name_changed_at: datetime | None = None
    previous_names: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    is_bot: bool = False
    authenticated: bool = False

    @property
    def is_moderator(self) -> bool:
        """Moderators bypass the rate limit and established-user mode."""
        return MODERATOR in self.scopes

    @property
    def disabled(self) -> bool:
        """A disabled (banned) user cannot connect or appear in history."""
        return self.disabled_at is not None

    def to_json(self) -> dict[str, Any]:
        """The wire object; `disabledAt`, `nameChangedAt` and `scopes` are omitted when empty."""
        data: dict[str, Any] = {
            "id": self.id,
            "displayName": self.display_name,
            "displayColor": self.display_color,
            "createdAt": rfc3339(self.created_at),
            "previousNames": list(self.previous_names),
            "isBot": self.is_bot,
            "authenticated": self.authenticated,
        }
        if self.disabled_at is not None:
            data["disabledAt"] = rfc3339(self.disabled_at)
        if self.name_changed_at is not None:
            data["nameChangedAt"] = rfc3339(self.name_changed_at)
        if self.scopes:
            data["scopes"] = list(self.scopes)
        return data


@dataclass(frozen=True)
class ChatMessage:
    """A message as stored: CHAT from a user or bot, a persisted SYSTEM/CHAT_ACTION, or a
    Fediverse engagement (`title` = the remote account, `image` = its avatar, `link` = its IRI)."""

    id: str
    type: str
    body: str
    timestamp: datetime
    user: ChatUser | None = None
    hidden_at: datetime | None = None
    raw_body: str = field(default="", compare=False)
    client_id: int | None = None
    title: str | None = None
    image: str | None = None
    link: str | None = None

    @property
    def visible(self) -> bool:
        """Shown to viewers (not hidden by a moderator)."""
        return self.hidden_at is None

    def to_json(self) -> dict[str, Any]:
        """The history/admin row shape: the live event plus `hiddenAt` and `clientId`."""
        if self.type in FEDIVERSE_ENGAGEMENT:
            return self._engagement_json()
        data: dict[str, Any] = {
            "type": self.type,
            "id": self.id,
            "timestamp": rfc3339(self.timestamp),
            "body": self.body,
            "visible": self.visible,
        }
        if self.user is not None:
            data["user"] = self.user.to_json()
        if self.hidden_at is not None:
            data["hiddenAt"] = rfc3339(self.hidden_at)
        if self.client_id is not None:
            data["clientId"] = self.client_id
        return data

    def _engagement_json(self) -> dict[str, Any]:
        """Owncast's stored `FediverseEngagementEvent`: no user and no visibility fields."""
        return {
            "type": self.type,
            "id": self.id,
            "timestamp": rfc3339(self.timestamp),
            "body": self.body,
            "image": self.image,
            "link": self.link or "",
            "title": self.title or "",
        }

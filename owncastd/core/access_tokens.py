"""Integration access tokens and their scopes (reference §3).

An integration is a bot user (`users.type = 'API'`) with a 44-character token in
`user_access_tokens`; the scopes it was given say which `/api/integrations/…` routes it may
call. A deleted integration is disabled, so its token is refused at once.
"""

from __future__ import annotations

import base64
import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owncastd.core.chat.models import MAX_USER_COLOR, ChatUser, rfc3339

CAN_SEND_MESSAGES = "CAN_SEND_MESSAGES"
CAN_SEND_SYSTEM_MESSAGES = "CAN_SEND_SYSTEM_MESSAGES"
HAS_ADMIN_ACCESS = "HAS_ADMIN_ACCESS"
SCOPES = (CAN_SEND_MESSAGES, CAN_SEND_SYSTEM_MESSAGES, HAS_ADMIN_ACCESS)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 256  # longer bearer values are refused without a lookup


def new_access_token() -> str:
    """32 random bytes, URL-safe base64 with padding: 44 characters, as Owncast."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode()


def unknown_scopes(scopes: list[str]) -> list[str]:
    """The entries of `scopes` that are not token scopes (Owncast's `HasValidScopes`)."""
    return [scope for scope in scopes if scope not in SCOPES]


@dataclass(frozen=True)
class Integration:
    """One access token and the bot user it belongs to (Owncast's `ExternalAPIUser`)."""

    id: str
    token: str
    display_name: str
    display_color: int
    scopes: tuple[str, ...]
    created_at: datetime
    last_used: datetime | None = None

    def allows(self, scope: str) -> bool:
        """True when the token was given `scope`."""
        return scope in self.scopes

    def bot_user(self) -> ChatUser:
        """The chat user its messages appear as (`isBot` true)."""
        return ChatUser(
            id=self.id,
            display_name=self.display_name,
            display_color=self.display_color,
            created_at=self.created_at,
            previous_names=(self.display_name,),
            scopes=self.scopes,
            is_bot=True,
        )

    def to_json(self) -> dict[str, Any]:
        """`{id, accessToken, displayName, displayColor, scopes, type, isBot, createdAt,
        lastUsedAt}` (`lastUsedAt` omitted until the token is used, as Go's omitempty)."""
        data: dict[str, Any] = {
            "id": self.id,
            "accessToken": self.token,
            "displayName": self.display_name,
            "displayColor": self.display_color,
            "scopes": list(self.scopes),
            "type": "API",
            "isBot": True,
            "createdAt": rfc3339(self.created_at),
        }
        if self.last_used is not None:
            data["lastUsedAt"] = rfc3339(self.last_used)
        return data


def new_integration(
    user_id: str, name: str, scopes: list[str], now: datetime, rng: random.Random
) -> Integration:
    """A fresh integration with a new token and a random chat colour (scopes de-duplicated)."""
    return Integration(
        id=user_id,
        token=new_access_token(),
        display_name=name,
        display_color=rng.randint(0, MAX_USER_COLOR),
        scopes=tuple(dict.fromkeys(scopes)),
        created_at=now,
    )

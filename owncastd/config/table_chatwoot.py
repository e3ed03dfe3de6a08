"""Settings table: the Chatwoot bridge (`[chatwoot]`, issue 15).

`owncastctl chatwoot setup` (`POST /api/admin/chatwoot/setup`) fills url, account_id, inbox_id,
agent_bot_id, webhook_secret and api_token; the others are edited in the file. No Owncast
setter exists for any of them (Owncast has no Chatwoot bridge).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from owncastd.config import checks as c
from owncastd.config.setting import Setting, entry

MAX_PER_MINUTE = 100_000
# Keys an enabled bridge cannot work without (checked across the section).
REQUIRED_WHEN_ENABLED = ("url", "account_id", "inbox_id", "webhook_secret", "api_token")


def _id_or_zero(value: int) -> str | None:
    return None if value >= 0 else f"must be a positive id, or 0 for none (got {value})"


def _agent_id(value: str) -> str | None:
    if value.isascii() and value.isdigit() and int(value) > 0:
        return None
    return f'must be a positive Chatwoot agent id such as "7" (got {c.describe(value)})'


def _secret_text(value: str) -> str | None:
    # Never echo the value: these are secrets.
    if len(value) > 512:
        return "must be at most 512 characters"
    if any(ch.isspace() for ch in value):
        return "must not contain whitespace"
    return None


def chatwoot_cross(section: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of an enabled `[chatwoot]` section that misses a key it needs."""
    if section.get("enabled") is not True:
        return []
    return [
        (f"[chatwoot] {key}", "required when chatwoot is enabled")
        for key in REQUIRED_WHEN_ENABLED
        if not section.get(key)
    ]


CHATWOOT: tuple[Setting, ...] = (
    entry("chatwoot.enabled", "Bridge viewers' private messages to Chatwoot", applies="restart"),
    entry(
        "chatwoot.url",
        "http(s) base URL of the Chatwoot server",
        check=c.http_url(),
        applies="restart",
    ),
    entry("chatwoot.account_id", "Chatwoot account id", check=_id_or_zero, applies="restart"),
    entry("chatwoot.inbox_id", "Id of the API inbox the bridge uses", check=_id_or_zero),
    entry("chatwoot.agent_bot_id", "Id of the agent bot (its webhook)", check=_id_or_zero),
    entry(
        "chatwoot.webhook_secret",
        "Secret path segment of the webhook URL",
        check=_secret_text,
        secret=True,
    ),
    entry(
        "chatwoot.api_token",
        "Chatwoot access token (api_access_token)",
        check=_secret_text,
        secret=True,
        applies="restart",
    ),
    entry(
        "chatwoot.allowed_agent_ids",
        "Agent ids allowed to use /hide, /ban and /timeout",
        check=_agent_id,
    ),
    entry(
        "chatwoot.relay_conversation_id",
        "Conversation whose agent replies go to public chat (0: none)",
        check=_id_or_zero,
    ),
    entry(
        "chatwoot.global_messages_per_minute",
        "Private messages all viewers together may send per minute",
        check=c.int_range(1, MAX_PER_MINUTE),
    ),
)

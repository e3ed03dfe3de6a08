"""Building the bridge's Chatwoot client from `[chatwoot]` (for the composition root)."""

from __future__ import annotations

from owncastd.chatwoot.api import ChatwootClient
from owncastd.config.settings import ChatwootSettings


def is_set_up(cw: ChatwootSettings) -> bool:
    """True when `[chatwoot]` holds what the client needs (what `chatwoot setup` writes)."""
    return bool(cw.url and cw.account_id > 0 and cw.inbox_id > 0 and cw.api_token)


def client_from_settings(cw: ChatwootSettings) -> ChatwootClient | None:
    """The `ChatwootApi` for these settings, or None while Chatwoot is not set up."""
    if not is_set_up(cw):
        return None
    return ChatwootClient(cw.url, cw.account_id, cw.inbox_id, cw.api_token)

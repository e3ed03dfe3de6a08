"""The bridge's view of the `[chatwoot]` settings (the lead fills it from the settings table of
the `cwapi` branch; names as there)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChatwootSettings:
    """What the bridge reads; a disabled bridge advertises nothing and queues nothing."""

    enabled: bool = False
    url: str = ""
    account_id: int = 0
    inbox_id: int = 0
    agent_bot_id: int = 0
    webhook_secret: str = ""
    api_token: str = ""
    allowed_agent_ids: tuple[int, ...] = ()
    relay_conversation_id: int = 0  # 0: no public relay
    global_messages_per_minute: int = 600  # all viewers together (per viewer: chat's budget)
    reconcile_seconds: float = 60.0
    concurrency: int = 4  # viewers whose queued messages are sent at once

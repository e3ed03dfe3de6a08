"""The bridge's view of the `[chatwoot]` settings. Field names match the `[chatwoot]` table of
the `cwapi` branch, so :func:`from_section` copies them from it (fields it lacks keep their
defaults here)."""

from __future__ import annotations

from dataclasses import dataclass, fields


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
    allowed_agent_ids: tuple[str, ...] = ()  # Chatwoot user ids allowed to run /hide, /ban…
    relay_conversation_id: int = 0  # 0: no public relay
    # All viewers together: a minute's worth at once, then this rate (per viewer: chat's).
    global_messages_per_minute: int = 600
    reconcile_seconds: float = 60.0
    concurrency: int = 16  # viewers sent at once (500 take ~3 s at 20 ms a Chatwoot call)

    def __repr__(self) -> str:  # never print the secrets
        return f"ChatwootSettings(enabled={self.enabled}, url={self.url!r})"


def from_section(section: object) -> ChatwootSettings:
    """The bridge's settings from the config's `[chatwoot]` section (same field names)."""
    names = [f.name for f in fields(ChatwootSettings) if hasattr(section, f.name)]
    values = {name: getattr(section, name) for name in names}
    if "allowed_agent_ids" in values:
        values["allowed_agent_ids"] = tuple(str(i) for i in values["allowed_agent_ids"])
    return ChatwootSettings(**values)

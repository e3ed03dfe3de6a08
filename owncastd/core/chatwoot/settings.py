"""The bridge's view of the `[chatwoot]` settings (`BridgeSettings`, not to be confused with
the config's `config.settings.ChatwootSettings`, the table's typed section): :func:`from_section`
copies the fields both have and keeps the bridge's own defaults for the rest."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    """What the bridge reads; a disabled bridge advertises nothing and queues nothing."""

    enabled: bool = False
    url: str = ""
    account_id: int = 0
    inbox_id: int = 0
    agent_bot_id: int = 0
    webhook_secret: str = ""
    api_token: str = ""
    allowed_agent_ids: tuple[int, ...] = ()  # Chatwoot user ids allowed to run /hide, /ban…
    relay_conversation_id: int = 0  # 0: no public relay
    # All viewers together: a minute's worth at once, then this rate (per viewer: chat's).
    global_messages_per_minute: int = 600
    reconcile_seconds: float = 60.0
    concurrency: int = 16  # viewers sent at once (500 take ~3 s at 20 ms a Chatwoot call)

    def __repr__(self) -> str:  # never print the secrets
        return f"BridgeSettings(enabled={self.enabled}, url={self.url!r})"


def from_section(section: object) -> BridgeSettings:
    """The bridge's settings from the config's `[chatwoot]` section (same field names); the
    config's agent ids are digit strings ("7"), the bridge's are Chatwoot's integer ids."""
    names = [f.name for f in fields(BridgeSettings) if hasattr(section, f.name)]
    values = {name: getattr(section, name) for name in names}
    if "allowed_agent_ids" in values:
        values["allowed_agent_ids"] = tuple(
            int(i) for i in values["allowed_agent_ids"] if str(i).isdigit()
        )
    return BridgeSettings(**values)

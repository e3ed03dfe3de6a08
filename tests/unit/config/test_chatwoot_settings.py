"""`[chatwoot]`: the settings `owncastctl chatwoot setup` writes, checked with clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from owncastd.errors import ConfigError

from .conftest import Loader

F = "owncast.toml"
READY = (
    '[chatwoot]\nenabled = true\nurl = "https://chat.example"\naccount_id = 3\ninbox_id = 4\n'
    'agent_bot_id = 5\nwebhook_secret = "abc"\napi_token = "tok-SECRET-1"\n'
    'allowed_agent_ids = ["7", "12"]\nrelay_conversation_id = 9\n'
)


def test_a_set_up_section_loads(config_file: Callable[[str], Path], load: Loader) -> None:
    settings = load(config_file(READY)).settings.chatwoot
    assert (settings.enabled, settings.url, settings.account_id, settings.inbox_id) == (
        True, "https://chat.example", 3, 4,
    )  # fmt: skip
    assert settings.agent_bot_id == 5 and settings.relay_conversation_id == 9
    assert settings.allowed_agent_ids == ("7", "12")
    assert settings.global_messages_per_minute == 600  # one viewer: chat's own budget
    assert "tok-SECRET-1" not in repr(settings) and "abc" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('url = "ftp://x"', 'url: must be an http(s) URL (got "ftp://x")'),
        ("account_id = -2", "account_id: must be a positive id, or 0 for none (got -2)"),
        (
            'allowed_agent_ids = ["7", "bob"]',
            'allowed_agent_ids[1]: must be a positive Chatwoot agent id such as "7" (got "bob")',
        ),
        ("global_messages_per_minute = 0", "global_messages_per_minute: must be 1..100000 (got 0)"),
        ('api_token = "has space SECRET"', "api_token: must not contain whitespace"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    config_file: Callable[[str], Path], load: Loader, text: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load(config_file(f"[chatwoot]\n{text}"))
    assert refused.value.problems == [f"{F}: [chatwoot] {problem}"]


def test_enabling_needs_the_keys_setup_writes(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    with pytest.raises(ConfigError) as refused:
        load(config_file('[chatwoot]\nenabled = true\nurl = "https://chat.example"'))
    assert refused.value.problems == [
        f"{F}: [chatwoot] {key}: required when chatwoot is enabled"
        for key in ("account_id", "inbox_id", "webhook_secret", "api_token")
    ]

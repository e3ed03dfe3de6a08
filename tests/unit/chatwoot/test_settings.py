"""The bridge reads the `[chatwoot]` section by field name; no section means disabled, and
the secrets never show in a repr."""

from __future__ import annotations

from types import SimpleNamespace

from owncastd.core.chatwoot.settings import BridgeSettings, from_section


def test_from_section_copies_known_fields_and_keeps_defaults():
    section = SimpleNamespace(
        enabled=True,
        url="https://cw.example",
        webhook_secret="hush-hush",
        api_token="tok-secret",
        allowed_agent_ids=(7, "8"),
        something_else=10,  # not a bridge field: ignored
    )
    settings = from_section(section)
    assert settings.enabled and settings.url == "https://cw.example"
    assert settings.allowed_agent_ids == (7, 8)
    assert settings.concurrency == BridgeSettings().concurrency
    assert "hush-hush" not in repr(settings) and "tok-secret" not in repr(settings)


def test_no_section_is_disabled():
    assert from_section(None) == BridgeSettings()
    assert not from_section(None).enabled

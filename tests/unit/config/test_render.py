"""render_effective: the effective configuration for check-config, with secrets redacted."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from owncastd.config.load import (
    ConfigFlags,
    ensure_secrets,
    load_config,
    render_effective,
    update_config,
)
from owncastd.config.settings import Settings


def _loaded_with_secrets(tmp_path: Path) -> tuple[Settings, list[str]]:
    data = tmp_path / "data"
    first = ensure_secrets(
        load_config(config_path=None, data_dir=data, environ={}, flags=ConfigFlags())
    )
    assert first.generated is not None and first.generated.stream_key
    update_config(
        first.path,
        {
            "rtmp.stream_keys": [
                {"key": first.generated.stream_key, "comment": "Generated on first start"},
                {"key": "second-key-xyz", "comment": ""},
            ],
            "s3": {
                "enabled": True,
                "endpoint": "https://s3.example",
                "access_key": "AKIAEXAMPLE",
                "secret": "s3-secret-value",
                "bucket": "b",
                "region": "r",
            },
            "notifications.discord.webhook": "https://discord.example/api/webhooks/1/token-abc",
        },
    )
    settings = load_config(
        config_path=None, data_dir=data, environ={}, flags=ConfigFlags(streamkey="temp-key-xyz")
    ).settings
    secrets = [
        settings.admin.password_hash,
        first.generated.stream_key,
        "second-key-xyz",
        "temp-key-xyz",
        "s3-secret-value",
        "token-abc",
    ]
    return settings, secrets


def test_no_secret_appears(tmp_path: Path) -> None:
    settings, secrets = _loaded_with_secrets(tmp_path)
    text = render_effective(settings)
    for secret in secrets:
        assert secret not in text
    rendered = tomllib.loads(text)
    assert rendered["admin"]["password_hash"] == "<redacted>"
    assert rendered["rtmp"]["stream_keys"] == [
        "<redacted> (Generated on first start)",
        "<redacted>",
    ]
    assert rendered["rtmp"]["temporary_stream_key"] == "<redacted>"
    assert rendered["s3"]["secret"] == "<redacted>"
    assert rendered["s3"]["access_key"] == "AKIAEXAMPLE"
    assert rendered["notifications"]["discord"]["webhook"] == "<redacted>"


def test_resolved_paths_and_every_setting_are_shown(tmp_path: Path) -> None:
    settings, _ = _loaded_with_secrets(tmp_path)
    rendered = tomllib.loads(render_effective(settings))
    data = (tmp_path / "data").resolve()
    assert rendered["paths"] == {
        "data_dir": str(data),
        "database": str(data / "owncast.db"),
        "log_dir": str(data / "logs"),
        "backup_dir": str(data / "backup"),
    }
    assert rendered["web"] == {
        "ip": "0.0.0.0",
        "port": 8080,
        "socket_host_override": "",
        "video_serving_endpoint": "",
        "trusted_proxies": ["127.0.0.1", "::1"],
        "fast_path": True,
        "max_connections": 0,
        "max_connections_per_ip": 128,
        "header_timeout": 10,
        "keep_alive_timeout": 30,
        "write_timeout": 30,
        "max_header_bytes": 65536,
    }
    assert rendered["server"]["extra_page_content"] == settings.server.extra_page_content
    assert rendered["video"]["variants"][0]["framerate"] == 24
    assert rendered["logging"] == {"verbose": False}


def test_unset_secrets_render_empty() -> None:
    settings = dataclasses.replace(Settings(), verbose_logging=True)
    rendered = tomllib.loads(render_effective(settings))
    assert rendered["admin"]["password_hash"] == ""
    assert rendered["rtmp"]["stream_keys"] == []
    assert "temporary_stream_key" not in rendered["rtmp"]
    assert rendered["logging"]["verbose"] is True

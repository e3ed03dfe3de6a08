"""Defaults < file < env < flags; persisted and temporary flags; where files are found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from owncastd.config.env import ENV_ALLOWLIST, ENV_FIELDS
from owncastd.config.load import (
    ConfigFlags,
    load_config,
    sample_config_text,
    settings_to_mapping,
    verify_password,
)
from owncastd.config.schema import section_of
from owncastd.config.settings import Settings, StreamKey
from owncastd.errors import ConfigError

from .conftest import Loader

FILE = """\
# my server
[server]
# shown to viewers
name = "From file"

[web]
# the port
port = 9000  # beside
ip = "127.0.0.1"

[rtmp]
port = 1936
stream_keys = [{ key = "file-key", comment = "main" }]
"""


def test_file_overrides_defaults(config_file: Callable[[str], Path], load: Loader) -> None:
    settings = load(config_file(FILE)).settings
    assert settings.server.name == "From file"
    assert settings.web.port == 9000
    assert settings.rtmp.stream_keys == (StreamKey("file-key", "main"),)
    assert settings.server.summary == Settings().server.summary  # untouched keys default


def test_env_overrides_file_and_flags_override_env(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file(FILE)
    env = {"OWNCAST_WEB_PORT": "9001", "OWNCAST_SERVER_NAME": "From env"}
    assert load(path, environ=env).settings.web.port == 9001
    both = load(path, environ=env, flags=ConfigFlags(webserverport=9002)).settings
    assert both.web.port == 9002
    assert both.server.name == "From env"


def test_env_values_are_not_written(config_file: Callable[[str], Path], load: Loader) -> None:
    path = config_file(FILE)
    env = {
        "OWNCAST_WEB_PORT": "9001",
        "OWNCAST_SERVER_NAME": "From env",
        "OWNCAST_ADMIN_PASSWORD": "s3cret-pass",
    }
    settings = load(path, environ=env).settings
    assert verify_password("s3cret-pass", settings.admin.password_hash)
    assert path.read_text(encoding="utf-8") == FILE


def test_env_scheme_covers_kinds_and_aliases(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    env = {
        "OWNCAST_CHAT_DISABLED": "1",
        "OWNCAST_CHAT_JOIN_MESSAGES_ENABLED": "off",
        "OWNCAST_SERVER_TAGS": " music, live ,,",
        "OWNCAST_VIDEO_LATENCY_LEVEL": " 4 ",
        "OWNCAST_NOTIFICATIONS_DISCORD_ENABLED": "TRUE",
        "OWNCAST_NOTIFICATIONS_DISCORD_WEBHOOK": "https://discord.example/hook",
        "OWNCAST_S3_ACCESS_KEY": "AKIA",
        "OWNCAST_FFMPEG": "/opt/ffmpeg",
        "OWNCAST_VERBOSE": "yes",
        "OWNCAST_URL": "http://ignored-by-the-daemon",
    }
    settings = load(config_file(FILE), environ=env).settings
    assert settings.chat.disabled is True
    assert settings.chat.join_messages_enabled is False
    assert settings.server.tags == ("music", "live")
    assert settings.video.latency_level == 4
    assert settings.notifications.discord.enabled is True
    assert settings.notifications.discord.webhook == "https://discord.example/hook"
    assert settings.s3.access_key == "AKIA"
    assert settings.video.ffmpeg_path == "/opt/ffmpeg"
    assert settings.verbose_logging is True


def test_alias_wins_over_the_generic_name(config_file: Callable[[str], Path], load: Loader) -> None:
    env = {"OWNCAST_VIDEO_FFMPEG_PATH": "/generic", "OWNCAST_FFMPEG": "/alias"}
    assert load(config_file(""), environ=env).settings.video.ffmpeg_path == "/alias"


def test_every_scalar_key_has_a_working_env_name(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    # OWNCAST_<SECTION>_<KEY> set to a valid non-default value reaches that setting.
    valid_strings = {
        "OWNCAST_WEB_IP": "127.0.0.1",
        "OWNCAST_RTMP_IP": "::1",
        "OWNCAST_WEB_SOCKET_HOST_OVERRIDE": "wss://chat.example",
        "OWNCAST_WEB_VIDEO_SERVING_ENDPOINT": "https://cdn.example",
        "OWNCAST_SERVER_URL": "https://live.example",
        "OWNCAST_S3_ENDPOINT": "https://s3.example",
        "OWNCAST_S3_SERVING_ENDPOINT": "https://cdn.example",
        "OWNCAST_NOTIFICATIONS_DISCORD_WEBHOOK": "https://discord.example/hook",
        "OWNCAST_DIRECTORY_SERVICE_URL": "https://yp.example",
        "OWNCAST_VIDEO_CODEC": "h264_nvenc",
        "OWNCAST_FEDERATION_USERNAME": "someone",
        "OWNCAST_SERVER_AUTOPLAY": "always",
        "OWNCAST_REPLAYS_MODE": "all",
        "OWNCAST_ADMIN_PASSWORD_HASH": "$2b$10$" + "a" * 53,
        "OWNCAST_CHATWOOT_URL": "https://chatwoot.example",
        "OWNCAST_CHATWOOT_WEBHOOK_SECRET": "s3cret",
        "OWNCAST_CHATWOOT_API_TOKEN": "t0ken",
        "OWNCAST_CLUSTER_ROLE": "origin",
        "OWNCAST_CLUSTER_REDIS_URL": "redis://127.0.0.1:6379/0",
        "OWNCAST_CLUSTER_PREFIX": "pfx",
        "OWNCAST_CLUSTER_SECRET": "s3cret",
        "OWNCAST_CLUSTER_ORIGIN_URL": "https://origin.example",
    }
    enabled_needs = {
        "OWNCAST_S3_ENDPOINT": "https://s3.example",
        "OWNCAST_S3_ACCESS_KEY": "id",
        "OWNCAST_S3_SECRET": "secret",
        "OWNCAST_S3_BUCKET": "bucket",
        "OWNCAST_S3_REGION": "region",
        "OWNCAST_NOTIFICATIONS_DISCORD_WEBHOOK": "https://discord.example/hook",
        "OWNCAST_CHATWOOT_URL": "https://chatwoot.example",
        "OWNCAST_CHATWOOT_ACCOUNT_ID": "1",
        "OWNCAST_CHATWOOT_INBOX_ID": "2",
        "OWNCAST_CHATWOOT_WEBHOOK_SECRET": "s3cret",
        "OWNCAST_CHATWOOT_API_TOKEN": "t0ken",
        "OWNCAST_CLUSTER_REDIS_URL": "redis://127.0.0.1:6379/0",
        "OWNCAST_CLUSTER_SECRET": "s3cret",
    }
    path = config_file("")
    assert len(ENV_FIELDS) > 50
    for name, spec in ENV_FIELDS.items():
        raw: str
        expected: object
        if spec.kind == "bool":
            raw, expected = ("false", False) if spec.default else ("true", True)
        elif name == "OWNCAST_SCHEDULE_CHAT_OPEN_MINUTES":  # one of 0, 5, 10, 30, 60
            raw, expected = "5", 5
        elif spec.kind == "int":
            raw, expected = str(spec.default + 1), spec.default + 1
        elif name == "OWNCAST_WEB_TRUSTED_PROXIES":
            raw, expected = "10.0.0.0/8, ::1", ["10.0.0.0/8", "::1"]
        elif name == "OWNCAST_CHATWOOT_ALLOWED_AGENT_IDS":  # Chatwoot agent ids
            raw, expected = "3, 14", ["3", "14"]
        elif spec.kind == "str_list":
            raw, expected = "a, b", ["a", "b"]
        else:
            raw = expected = valid_strings.get(name, "some text")
        assert expected != spec.default, name
        environ = {name: raw}
        enabling = ("OWNCAST_S3_ENABLED", "OWNCAST_NOTIFICATIONS_DISCORD_ENABLED")
        if name in (*enabling, "OWNCAST_CHATWOOT_ENABLED", "OWNCAST_CLUSTER_ROLE"):
            environ |= enabled_needs  # enabling these requires other keys
        data = settings_to_mapping(load(path, environ=environ).settings)
        value = section_of(data, spec.section)[spec.name]
        if spec.section == "paths":  # resolved against the data directory
            assert value.endswith("/data/some text"), name
        else:
            assert value == expected, name


def test_allow_listed_variables_are_accepted(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    load(config_file(""), environ=dict.fromkeys(ENV_ALLOWLIST, "x"))


def test_webserverport_flag_is_persisted_keeping_comments(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file(FILE)
    before = path.read_text(encoding="utf-8")
    settings = load(path, flags=ConfigFlags(webserverport=9100, rtmpport=1940)).settings
    assert (settings.web.port, settings.rtmp.port) == (9100, 1940)
    after = path.read_text(encoding="utf-8")
    expected = before.replace("port = 9000  # beside", "port = 9100  # beside").replace(
        "port = 1936", "port = 1940"
    )
    assert after == expected
    # the next start without the flag keeps the persisted value
    assert load(path).settings.web.port == 9100


def test_webserverip_flag_is_persisted(config_file: Callable[[str], Path], load: Loader) -> None:
    path = config_file(FILE)
    load(path, flags=ConfigFlags(webserverip="::"))
    assert 'ip = "::"' in path.read_text(encoding="utf-8")
    assert load(path).settings.web.ip == "::"


def test_an_unchanged_persisted_flag_does_not_rewrite_the_file(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file(FILE)
    path.chmod(0o640)  # a rewrite would make it 0600
    load(path, flags=ConfigFlags(webserverport=9000))
    assert path.stat().st_mode & 0o777 == 0o640
    load(path, flags=ConfigFlags(webserverport=9001))  # a changed one is written
    assert path.stat().st_mode & 0o777 == 0o600 and "9001" in path.read_text(encoding="utf-8")


def test_adminpassword_flag_is_persisted_as_a_hash(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file(FILE)
    settings = load(path, flags=ConfigFlags(adminpassword="correct horse")).settings
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text
    assert f'password_hash = "{settings.admin.password_hash}"' in text
    assert verify_password("correct horse", settings.admin.password_hash)
    # the same password again keeps the stored hash (no new salt, no rewrite)
    again = load(path, flags=ConfigFlags(adminpassword="correct horse")).settings
    assert again.admin.password_hash == settings.admin.password_hash
    assert path.read_text(encoding="utf-8") == text


def test_streamkey_flag_is_temporary(config_file: Callable[[str], Path], load: Loader) -> None:
    path = config_file(FILE)
    settings = load(path, flags=ConfigFlags(streamkey="temp-key-123")).settings
    assert settings.temporary_stream_key == "temp-key-123"
    assert settings.rtmp.stream_keys == (StreamKey("file-key", "main"),)
    assert path.read_text(encoding="utf-8") == FILE
    assert "temp-key-123" not in repr(settings)


def test_stream_key_env_is_temporary_and_the_flag_wins(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file(FILE)
    env = {"OWNCAST_STREAM_KEY": "env-key"}
    assert load(path, environ=env).settings.temporary_stream_key == "env-key"
    flags = ConfigFlags(streamkey="flag-key")
    assert load(path, environ=env, flags=flags).settings.temporary_stream_key == "flag-key"
    assert path.read_text(encoding="utf-8") == FILE


def test_process_only_flags(
    config_file: Callable[[str], Path], load: Loader, tmp_path: Path
) -> None:
    path = config_file(FILE)
    flags = ConfigFlags(
        database="db/other.db",
        logdir=tmp_path / "abs-logs",
        backupdir="bk",
        enable_verbose_logging=True,
    )
    settings = load(path, flags=flags, data_dir=tmp_path / "d").settings
    data = (tmp_path / "d").resolve()
    assert settings.paths.database == str(data / "db" / "other.db")
    assert settings.paths.log_dir == str(tmp_path / "abs-logs")
    assert settings.paths.backup_dir == str(data / "bk")
    assert settings.verbose_logging is True
    assert path.read_text(encoding="utf-8") == FILE


def test_default_paths_live_under_the_data_dir(
    config_file: Callable[[str], Path], load: Loader, tmp_path: Path
) -> None:
    paths = load(config_file(FILE), data_dir=tmp_path / "d").settings.paths
    data = (tmp_path / "d").resolve()
    assert paths.data_dir == str(data)
    assert (paths.database, paths.log_dir, paths.backup_dir) == (
        str(data / "owncast.db"),
        str(data / "logs"),
        str(data / "backup"),
    )


def test_paths_section_is_relative_to_the_data_dir(
    config_file: Callable[[str], Path], load: Loader, tmp_path: Path
) -> None:
    path = config_file('[paths]\ndatabase = "x.db"\nlog_dir = "/var/log/owncast"\n')
    paths = load(path, data_dir=tmp_path / "d").settings.paths
    assert paths.database == str((tmp_path / "d" / "x.db").resolve())
    assert paths.log_dir == "/var/log/owncast"


def test_missing_default_config_is_created_from_the_sample(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    loaded = load_config(config_path=None, data_dir=data, environ={}, flags=ConfigFlags())
    assert loaded.path == data.resolve() / "owncast.toml"
    assert loaded.path.read_text(encoding="utf-8") == sample_config_text()
    assert loaded.path.stat().st_mode & 0o777 == 0o600
    assert loaded.generated is None


def test_data_dir_and_config_come_from_env_when_not_given(tmp_path: Path) -> None:
    custom = tmp_path / "custom.toml"
    custom.write_text('[server]\nname = "custom"\n', encoding="utf-8")
    env = {"OWNCAST_DATA_DIR": str(tmp_path / "envdata"), "OWNCAST_CONFIG": str(custom)}
    loaded = load_config(config_path=None, data_dir=None, environ=env, flags=ConfigFlags())
    assert loaded.path == custom
    assert loaded.settings.server.name == "custom"
    assert loaded.settings.paths.data_dir == str(tmp_path / "envdata")
    # --data-dir/--config beat the env
    other = tmp_path / "other.toml"
    other.write_text("", encoding="utf-8")
    loaded = load_config(
        config_path=other, data_dir=tmp_path / "flagdata", environ=env, flags=ConfigFlags()
    )
    assert loaded.path == other
    assert loaded.settings.paths.data_dir == str(tmp_path / "flagdata")


def test_data_dir_defaults_to_data_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    loaded = load_config(config_path=None, data_dir=None, environ={}, flags=ConfigFlags())
    assert loaded.settings.paths.data_dir == str(tmp_path.resolve() / "data")
    assert loaded.path == tmp_path.resolve() / "data" / "owncast.toml"


def test_a_readable_config_file_is_warned_about(
    config_file: Callable[[str], Path], load: Loader, caplog: pytest.LogCaptureFixture
) -> None:
    path = config_file(FILE)
    path.chmod(0o644)
    load(path)
    assert "readable by other users" in caplog.text


def test_env_typo_is_reported_not_ignored(config_file: Callable[[str], Path], load: Loader) -> None:
    with pytest.raises(ConfigError) as caught:
        load(config_file(FILE), environ={"OWNCAST_WEB_PORTT": "8081"})
    assert caught.value.problems == [
        'env OWNCAST_WEB_PORTT: unknown variable (did you mean "OWNCAST_WEB_PORT"?)'
    ]

"""First-run secrets and password hashing."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from pathlib import Path

import bcrypt
import pytest

from owncastd.config.load import (
    ConfigFlags,
    ensure_secrets,
    hash_password,
    load_config,
    verify_password,
)
from owncastd.config.settings import StreamKey

from .conftest import Loader


def test_first_start_generates_persists_and_returns_secrets_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    loaded = load_config(config_path=None, data_dir=data, environ={}, flags=ConfigFlags())
    first = ensure_secrets(loaded)

    generated = first.generated
    assert generated is not None and generated.admin_password and generated.stream_key
    assert len(generated.admin_password) == 24 and len(generated.stream_key) == 32
    # persisted: the hash of the password and the key in plain text, as Owncast does
    stored = tomllib.loads(first.path.read_text(encoding="utf-8"))
    assert verify_password(generated.admin_password, stored["admin"]["password_hash"])
    assert generated.admin_password not in first.path.read_text(encoding="utf-8")
    assert stored["rtmp"]["stream_keys"] == [
        {"key": generated.stream_key, "comment": "Generated on first start"}
    ]
    assert first.path.stat().st_mode & 0o777 == 0o600
    # the returned settings already hold them
    assert first.settings.rtmp.stream_keys == (
        StreamKey(generated.stream_key, "Generated on first start"),
    )
    assert verify_password(generated.admin_password, first.settings.admin.password_hash)
    # never logged, never in a repr
    assert generated.admin_password not in caplog.text
    assert generated.stream_key not in caplog.text
    assert generated.admin_password not in repr(first)
    assert "first-run secrets generated" in caplog.text

    # the second start generates nothing and sees the same secrets
    before = first.path.read_bytes()
    second = ensure_secrets(
        load_config(config_path=None, data_dir=data, environ={}, flags=ConfigFlags())
    )
    assert second.generated is None
    assert second.settings.admin.password_hash == first.settings.admin.password_hash
    assert second.settings.rtmp.stream_keys == first.settings.rtmp.stream_keys
    assert first.path.read_bytes() == before


def test_first_start_keeps_the_files_comments(tmp_path: Path) -> None:
    loaded = ensure_secrets(
        load_config(config_path=None, data_dir=tmp_path, environ={}, flags=ConfigFlags())
    )
    text = loaded.path.read_text(encoding="utf-8")
    assert "# What viewers see about this instance." in text
    assert "# Keys accepted from publishers" in text


def test_each_secret_is_generated_only_when_missing(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    existing = hash_password("already-set")
    path = config_file(f'[admin]\npassword_hash = "{existing}"\n')
    loaded = ensure_secrets(load(path))
    assert loaded.generated is not None
    assert loaded.generated.admin_password is None
    assert loaded.generated.stream_key
    assert loaded.settings.admin.password_hash == existing

    path = config_file('[rtmp]\nstream_keys = [{ key = "mine" }]\n')
    loaded = ensure_secrets(load(path))
    assert loaded.generated is not None
    assert loaded.generated.stream_key is None
    assert loaded.generated.admin_password
    assert loaded.settings.rtmp.stream_keys == (StreamKey("mine"),)


def test_overrides_from_env_and_flags_suppress_generation(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file("")
    loaded = ensure_secrets(
        load(
            path,
            environ={"OWNCAST_ADMIN_PASSWORD": "from-env"},
            flags=ConfigFlags(streamkey="temporary"),
        )
    )
    assert loaded.generated is None
    assert path.read_text(encoding="utf-8") == ""


def test_adminpassword_flag_counts_as_a_password(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    path = config_file("")
    loaded = ensure_secrets(load(path, flags=ConfigFlags(adminpassword="hunter2hunter2")))
    assert loaded.generated is not None
    assert loaded.generated.admin_password is None
    assert verify_password("hunter2hunter2", loaded.settings.admin.password_hash)


def test_hash_and_verify() -> None:
    hashed = hash_password("pässword")
    assert hashed.startswith("$2b$10$")
    assert verify_password("pässword", hashed)
    assert not verify_password("password", hashed)
    assert not verify_password("pässword", "")
    assert not verify_password("pässword", "$2b$10$garbage")
    assert not verify_password("x" * 100, hashed)


def test_owncast_style_2a_hashes_verify() -> None:
    # Go's bcrypt writes $2a$ hashes; an imported Owncast password must keep working.
    hashed = bcrypt.hashpw(b"abc123", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()
    assert hashed.startswith("$2a$")
    assert verify_password("abc123", hashed)


@pytest.mark.parametrize("bad", ["", "é" * 37])
def test_unusable_passwords_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^admin password "):
        hash_password(bad)
    usable = bad[:36] or "x"  # 72 bytes is bcrypt's limit: one character less is taken
    assert verify_password(usable, hash_password(usable))

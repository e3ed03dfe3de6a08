"""First-run credentials: printed once on a terminal, otherwise a 0600 file and only its path."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from owncastd.cli import INITIAL_CREDENTIALS, show_generated
from owncastd.config.load import GeneratedSecrets, LoadedConfig
from owncastd.config.settings import PathSettings, Settings

PASSWORD = "generated-admin-password-123"
KEY = "generated-stream-key-4567890123456"


def loaded(data_dir: Path, generated: GeneratedSecrets | None) -> LoadedConfig:
    settings = Settings(paths=PathSettings(data_dir=str(data_dir)))
    return LoadedConfig(settings, Path("/etc/owncastd/owncast.toml"), generated)


def test_not_a_terminal_writes_a_0600_file_and_prints_only_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "not-yet-created"
    path = show_generated(loaded(data, GeneratedSecrets(PASSWORD, KEY)), terminal=False)
    assert path == data / INITIAL_CREDENTIALS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"admin password : {PASSWORD}" in text and f"stream key     : {KEY}" in text
    assert "Delete this file" in text
    out = capsys.readouterr()
    assert PASSWORD not in out.err + out.out and KEY not in out.err + out.out
    assert str(path) in out.err and "delete the file" in out.err


def test_a_terminal_gets_them_printed_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert show_generated(loaded(tmp_path, GeneratedSecrets(PASSWORD, None)), terminal=True) is None
    err = capsys.readouterr().err
    assert f"admin password : {PASSWORD}" in err and "stream key" not in err
    assert not (tmp_path / INITIAL_CREDENTIALS).exists()


def test_nothing_generated_nothing_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert show_generated(loaded(tmp_path, None), terminal=False) is None
    assert capsys.readouterr().err == ""
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_data_dir_says_so_without_the_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    generated = GeneratedSecrets(PASSWORD, KEY)
    assert show_generated(loaded(blocker / "data", generated), terminal=False) is None
    err = capsys.readouterr().err
    assert "could not write the generated credentials" in err and "--adminpassword" in err
    assert PASSWORD not in err and KEY not in err

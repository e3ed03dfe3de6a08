"""No first start over an existing installation (issue 16, finding 12): which starts count."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from owncastd.config.load import settings_from_mapping
from owncastd.config.settings import PathSettings, Settings
from owncastd.first_start import reset_over_data_problem


def settings(tmp_path: Path, **data: object) -> Settings:
    base = settings_from_mapping(data)
    paths = PathSettings(
        data_dir=str(tmp_path),
        database=str(tmp_path / "owncast.db"),
        log_dir=str(tmp_path / "logs"),
        backup_dir=str(tmp_path / "backup"),
    )
    return dataclasses.replace(base, paths=paths)


@pytest.mark.parametrize("database", [None, b""])
def test_a_real_first_start_is_allowed(tmp_path, database):
    if database is not None:
        (tmp_path / "owncast.db").write_bytes(database)
    assert reset_over_data_problem(settings(tmp_path), tmp_path / "owncast.toml") is None
    (tmp_path / "owncast.db").write_bytes(b"SQLite format 3\0" + bytes(4080))  # the control:
    assert reset_over_data_problem(settings(tmp_path), tmp_path / "owncast.toml") is not None


def test_no_credentials_beside_a_populated_database_is_refused(tmp_path):
    (tmp_path / "owncast.db").write_bytes(b"SQLite format 3\0" + bytes(4080))
    problem = reset_over_data_problem(settings(tmp_path), tmp_path / "owncast.toml")
    assert problem is not None
    assert "refusing a first start" in problem and "owncastd restore" in problem
    assert str(tmp_path / "backup") in problem and "owncastd init" in problem


@pytest.mark.parametrize(
    "data",
    [
        {"admin": {"password_hash": "$2b$04$" + "x" * 53}},
        {"rtmp": {"stream_keys": [{"key": "a-configured-stream-key", "comment": ""}]}},
    ],
)
def test_a_configured_installation_starts(tmp_path, data):
    (tmp_path / "owncast.db").write_bytes(b"SQLite format 3\0" + bytes(4080))
    assert reset_over_data_problem(settings(tmp_path, **data), tmp_path / "x.toml") is None
    assert reset_over_data_problem(settings(tmp_path), tmp_path / "x.toml") is not None  # without

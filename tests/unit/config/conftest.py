"""Helpers for the configuration tests: write a file, load it with chosen env and flags."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from owncastd.config.load import ConfigFlags, LoadedConfig, load_config

Loader = Callable[..., LoadedConfig]


@pytest.fixture
def config_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write `text` to <tmp>/owncast.toml (mode 0600) and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "owncast.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path

    return write


@pytest.fixture
def load(tmp_path: Path) -> Loader:
    """load_config for an explicit file, with the data dir in tmp and no env unless given."""

    def run(
        path: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        flags: ConfigFlags | None = None,
        data_dir: Path | None = None,
    ) -> LoadedConfig:
        return load_config(
            config_path=path,
            data_dir=data_dir or tmp_path / "data",
            environ=environ or {},
            flags=flags or ConfigFlags(),
        )

    return run

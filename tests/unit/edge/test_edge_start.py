"""`owncastd edge`: what it needs before it runs (origin, Redis and the shared secret), and the
command line over `[cluster]`."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from owncastd.cli import app
from owncastd.config.settings import ClusterSettings, Settings
from owncastd.edge.start import EdgeOptions, edge_config, problems_of, run_edge


def test_edge_refuses_to_start_without_origin_redis_and_secret(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["edge", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--origin" in result.output and "--redis" in result.output
    assert "secret" in result.output


def test_command_line_over_cluster_settings() -> None:
    cluster = ClusterSettings(
        role="edge",
        redis_url="redis://file:6379/0",
        secret="s3cret",
        origin_url="http://file:8080",
        edge_id="from-file",
        prefix="px",
        heartbeat_seconds=2,
        edge_ttl_seconds=9,
    )
    settings = Settings(cluster=cluster)
    config = edge_config(settings, EdgeOptions(origin="http://flag:8080", redis=None))
    assert (config.origin_url, config.redis_url) == ("http://flag:8080", "redis://file:6379/0")
    assert (config.edge_id, config.prefix, config.secret) == ("from-file", "px", "s3cret")
    assert (config.heartbeat_seconds, config.edge_ttl_seconds) == (2.0, 9)
    assert config.key("chat", "out") == "px:chat:out"
    assert problems_of(config) == []
    assert "s3cret" not in repr(config) and "redis://" not in repr(config)


EDGE_CONFIG = """
[cluster]
role = "edge"
origin_url = "http://127.0.0.1:9"
redis_url = "redis://127.0.0.1:9/0"
secret = "s3cret"
"""


def test_plain_owncastd_refuses_an_edge_config(tmp_path: Path) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text(EDGE_CONFIG)
    umask = os.umask(0o022)
    try:
        result = CliRunner().invoke(app, ["--config", str(path), "--data-dir", str(tmp_path)])
    finally:
        os.umask(umask)
    assert result.exit_code == 2
    assert "this config is for an edge node: run `owncastd edge`" in result.output
    assert not list(tmp_path.glob("*.db"))  # no single node's new database


def test_the_edge_creates_private_files(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        code, _ = run_edge(EdgeOptions(data_dir=tmp_path))  # refused: no origin, redis, secret
        assert code == 2
        assert os.umask(0o022) == 0o077  # logs/ 0700, owncast.log 0600
    finally:
        os.umask(umask)

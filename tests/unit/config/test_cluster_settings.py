"""`[cluster]` (issue 18): an origin or edge needs Redis and the secret; secrets are never
echoed in problems nor shown by `check-config`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from owncastd.config.render import render_effective
from owncastd.errors import ConfigError

from .conftest import Loader

F = "owncast.toml"
ORIGIN = (
    '[cluster]\nrole = "origin"\nredis_url = "redis://:pw-SECRET@10.0.0.5:6379/0"\n'
    'secret = "cluster-SECRET"\n'
)


def test_an_origin_loads_and_its_secrets_stay_hidden(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    settings = load(config_file(ORIGIN)).settings
    cluster = settings.cluster
    assert (cluster.role, cluster.prefix, cluster.heartbeat_seconds, cluster.edge_ttl_seconds) == (
        "origin", "owncastd", 1, 5,
    )  # fmt: skip
    shown = repr(settings) + render_effective(settings)
    assert "SECRET" not in shown


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ('role = "origin"', ['redis_url: required when role is "origin"',
                             'secret: required when role is "origin"']),
        ('role = "edge"\nredis_url = "redis://r:6379"\nsecret = "s"',
         ['origin_url: required when role is "edge"']),
        ('role = "primary"', ['role: must be one of single, origin, edge (got "primary")']),
        ('redis_url = "http://pw-SECRET@r"', ["redis_url: must be a redis/rediss URL"]),
        ('prefix = "a:b"', ["prefix: must be 1-64 characters without spaces or ':'"]),
        ("edge_ttl_seconds = 1", ["edge_ttl_seconds: must be 2..600 (got 1)"]),
    ],
)  # fmt: skip
def test_bad_cluster_settings_are_refused_with_the_reason(
    config_file: Callable[[str], Path], load: Loader, text: str, problems: list[str]
) -> None:
    with pytest.raises(ConfigError) as refused:
        load(config_file(f"[cluster]\n{text}"))
    assert refused.value.problems == [f"{F}: [cluster] {p}" for p in problems]
    assert "SECRET" not in str(refused.value)

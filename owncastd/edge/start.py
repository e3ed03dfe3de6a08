"""`owncastd edge`: load the configuration, apply the command line and run an edge node.

The `[cluster]` section gives the defaults (secret, prefix, edge id, heartbeat); `--origin`
and `--redis` set the origin's URL and the Redis URL for this run (role edge), and
`--webserverport`/`--webserverip` the listener, without writing them into the file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

import trio

from owncastd import VERSION
from owncastd.config.load import ConfigFlags, load_config
from owncastd.config.settings import Settings
from owncastd.edge.config import EdgeConfig
from owncastd.edge.node import EdgeNode
from owncastd.edge.origin import SecretRefusedError
from owncastd.errors import ConfigError, StartupError
from owncastd.logs import settings_secrets, setup_logging
from owncastd.ops.file_modes import restrict_new_files

log = logging.getLogger("owncastd")


@dataclass(frozen=True)
class EdgeOptions:
    """`owncastd edge`'s command line (None: from the configuration)."""

    origin: str | None = None
    redis: str | None = None
    config: Path | None = None
    data_dir: Path | None = None
    port: int | None = None
    ip: str | None = None
    edge_id: str | None = None
    public_url: str | None = None


def edge_config(settings: Settings, options: EdgeOptions) -> EdgeConfig:
    """The edge's cluster settings: the command line over `[cluster]`."""
    cluster = settings.cluster
    return EdgeConfig(
        origin_url=options.origin or cluster.origin_url,
        redis_url=options.redis or cluster.redis_url,
        secret=cluster.secret,
        prefix=cluster.prefix,
        edge_id=options.edge_id or cluster.edge_id,
        public_url=options.public_url or "",
        heartbeat_seconds=float(cluster.heartbeat_seconds),
        edge_ttl_seconds=int(cluster.edge_ttl_seconds),
    )


def problems_of(config: EdgeConfig) -> list[str]:
    """What stops an edge from running (each a line for the user)."""
    problems = []
    if not config.origin_url.startswith(("http://", "https://")):
        problems.append("edge: --origin (or [cluster] origin_url) must be an http(s) URL")
    if not config.redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("edge: --redis (or [cluster] redis_url) must be a redis:// URL")
    if not config.secret:
        problems.append("edge: [cluster] secret (or OWNCAST_CLUSTER_SECRET) must be set")
    return problems


def run_edge(options: EdgeOptions) -> tuple[int, list[str]]:
    """Run an edge until SIGTERM/SIGINT: (exit code, lines for stderr)."""
    restrict_new_files()  # logs and config are the edge user's alone, as the daemon's
    try:
        loaded = load_config(
            config_path=options.config,
            data_dir=options.data_dir,
            environ=os.environ,
            flags=ConfigFlags(),
        )
    except ConfigError as exc:
        return 2, list(exc.problems)
    settings = loaded.settings
    web = settings.web
    settings = replace(
        settings,
        web=replace(
            web,
            port=web.port if options.port is None else options.port,
            ip=options.ip or web.ip,
        ),
    )
    config = edge_config(settings, options)
    problems = problems_of(config)
    if problems:
        return 2, problems
    data = Path(settings.paths.data_dir)
    setup_logging(
        Path(settings.paths.log_dir or data / "logs"),
        verbose=settings.verbose_logging,
        secrets=lambda: [*settings_secrets(settings), config.secret, config.redis_url],
    )
    log.info("starting edge version=%s origin=%s", VERSION, config.origin_url)
    failures: list[str] = []
    code = 0
    try:
        trio.run(_serve, EdgeNode(settings, config))
    except* SecretRefusedError as group:  # a configuration problem, like a missing secret
        code, failures = 2, [str(exc) for exc in group.exceptions]
    except* StartupError as group:
        code, failures = 1, [str(exc) for exc in group.exceptions]
    return code, failures


async def _serve(node: EdgeNode) -> None:
    await node.run()

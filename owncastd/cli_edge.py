"""`owncastd edge --origin URL --redis URL`: run an edge node of a cluster (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from owncastd.cli_ops import ConfigOption, DataDirOption

OriginOption = Annotated[
    str | None, typer.Option("--origin", help="The origin's URL, e.g. http://origin:8080.")
]
RedisOption = Annotated[
    str | None, typer.Option("--redis", help="Redis URL, e.g. redis://127.0.0.1:6379/0.")
]
PortOption = Annotated[
    int | None, typer.Option("--webserverport", help="HTTP port for viewers (not saved).")
]
IpOption = Annotated[
    str | None, typer.Option("--webserverip", help="HTTP listen address (not saved).")
]
EdgeIdOption = Annotated[
    str | None, typer.Option("--edge-id", help="This edge's id (default: hostname-port).")
]
PublicUrlOption = Annotated[
    str | None, typer.Option("--public-url", help="This edge's URL, shown in cluster status.")
]


def edge_command(
    origin: OriginOption = None,
    redis: RedisOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    webserverport: PortOption = None,
    webserverip: IpOption = None,
    edge_id: EdgeIdOption = None,
    public_url: PublicUrlOption = None,
) -> None:
    """Run an edge node: viewer chat sockets and viewer routes, fed by the origin over Redis
    (the cluster section of owncast.toml gives the secret; no database, no RTMP)."""
    from owncastd.edge.start import EdgeOptions, run_edge

    options = EdgeOptions(
        origin=origin,
        redis=redis,
        config=Path(config) if config else None,
        data_dir=Path(data_dir) if data_dir else None,
        port=webserverport,
        ip=webserverip,
        edge_id=edge_id,
        public_url=public_url,
    )
    code, lines = run_edge(options)
    for line in lines:
        typer.secho(line, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)

"""`owncastctl`: manage a running owncastd over its HTTP API.

This first version only reads the public status; the full admin CLI and TUI build on the admin
API as it lands.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import httpx
import typer

app = typer.Typer(add_completion=False, help="Manage a running owncastd over its HTTP API.")

UrlOption = Annotated[
    str,
    typer.Option("--url", envvar="OWNCAST_URL", help="The daemon's web address."),
]


@app.command()
def version() -> None:
    """Print owncastctl's version."""
    typer.echo("owncastctl 0.1.0")


@app.command()
def status(
    url: UrlOption = "http://127.0.0.1:8080",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show whether the stream is live, its title and viewer count."""
    try:
        response = httpx.get(url.rstrip("/") + "/api/status", timeout=5)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        typer.secho(
            f"cannot reach owncastd at {url}: {exc}. Is it running? Set --url or OWNCAST_URL.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(3) from None
    data = response.json()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    state = "LIVE" if data.get("online") else "offline"
    typer.echo(f"stream: {state}")
    if data.get("streamTitle"):
        typer.echo(f"title: {data['streamTitle']}")
    if "viewerCount" in data:
        typer.echo(f"viewers: {data['viewerCount']}")


def main() -> None:
    """Console-script entry point."""
    if os.environ.get("NO_COLOR"):
        os.environ.setdefault("TERM", "dumb")
    app(prog_name="owncastctl")


if __name__ == "__main__":
    sys.exit(main())

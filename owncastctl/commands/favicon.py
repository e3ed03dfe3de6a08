"""`favicon set|reset`: the browser-tab icon (Owncast develop §5.1)."""

from __future__ import annotations

from typing import Annotated

import typer

from owncastctl import api
from owncastctl.config_values import image
from owncastctl.errors import CtlUsageError
from owncastctl.state import get_state

app = typer.Typer(help="The favicon shown in browser tabs.", no_args_is_help=True)


@app.command("set")
def set_(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="A .png or .ico file (at most 200 KB).")],
) -> None:
    """Upload a favicon (served at /favicon.ico)."""
    state = get_state(ctx)
    try:
        data_uri = image(path)
    except ValueError as exc:
        raise CtlUsageError(f"favicon {exc}") from None
    state.act(api.set_favicon(data_uri), "favicon updated")


@app.command()
def reset(ctx: typer.Context) -> None:
    """Go back to the default favicon."""
    get_state(ctx).act(api.reset_favicon(), "favicon reset to default")

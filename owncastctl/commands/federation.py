"""`federation post`: publish a Note to the server's Fediverse followers (issue 11)."""

from __future__ import annotations

from typing import Annotated

import typer

from owncastctl.api import Call
from owncastctl.state import get_state

app = typer.Typer(help="The server's Fediverse account.", no_args_is_help=True)


def post_call(text: str) -> Call:
    """`POST /api/admin/federation/send` with the post's markdown."""
    return Call(
        "POST", "/api/admin/federation/send", {"value": text}, what="posting to the Fediverse"
    )


@app.command()
def post(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The post (markdown; #tags become hashtags).")],
) -> None:
    """Post a Note to every follower (stored in the outbox; needs federation enabled)."""
    get_state(ctx).act(post_call(text), "posted to the Fediverse followers")

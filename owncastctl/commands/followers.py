"""`followers list|approve|reject|block`: the server's Fediverse followers (issue 11)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import followers_view as view
from owncastctl.commands import JsonOpt
from owncastctl.output import when
from owncastctl.state import State, get_state

app = typer.Typer(help="Fediverse followers and follow requests.", no_args_is_help=True)
ActorArg = Annotated[
    str, typer.Argument(help="The follower's actor IRI (see `owncastctl followers list`).")
]


def _table(state: State, title: str, followers: list[dict[str, Any]], *, blocked: bool) -> None:
    state.out.print(f"[bold]{title}[/] ({len(followers)})")
    if not followers:
        return
    columns = ("account", "name", "blocked" if blocked else "since", "actor")
    table = state.out.table(*columns)
    for follower in followers:
        at = follower.get("disabledAt") if blocked else follower.get("timestamp")
        table.add_row(
            escape(str(follower.get("username", ""))),
            escape(str(follower.get("name", ""))),
            when(at) if at else "",
            escape(str(follower.get("link", ""))),
        )
    state.out.show(table)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Followers, follow requests waiting for approval, and blocked accounts.

    --json prints {"followers": {total, results: [Follower]}, "pending": [Follower],
    "blocked": [Follower]}; a Follower is {link, name, username, image, timestamp, disabledAt}.
    """
    state = get_state(ctx)
    payload = {
        "followers": state.call(view.followers()),
        "pending": state.call(view.pending()),
        "blocked": state.call(view.blocked()),
    }
    if as_json:
        state.out.json(payload)
        return
    _table(state, "Followers", view.rows(payload["followers"]), blocked=False)
    _table(state, "Waiting for approval", view.rows(payload["pending"]), blocked=False)
    _table(state, "Blocked", view.rows(payload["blocked"]), blocked=True)


@app.command()
def approve(ctx: typer.Context, actor: ActorArg) -> None:
    """Approve a follow request (the follower is sent an Accept)."""
    get_state(ctx).act(view.approve(actor, True), f"{actor} approved")


@app.command()
def reject(ctx: typer.Context, actor: ActorArg) -> None:
    """Reject a follow request (no Reject is sent, as in Owncast; it cannot follow again)."""
    get_state(ctx).act(view.approve(actor, False), f"{actor} rejected")


@app.command()
def block(ctx: typer.Context, actor: ActorArg) -> None:
    """Block a follower: it stops following and its activities are refused."""
    get_state(ctx).act(view.approve(actor, False), f"{actor} blocked")

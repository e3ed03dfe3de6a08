"""`followers list|approve|reject|block`: the server's fediverse followers and follow requests.

Owncast has one route for all three actions (`POST /api/admin/followers/approve`
`{actorIRI, approved}`): approve sends `approved: true`; reject and block both send
`approved: false`, which marks the actor as blocked (no Reject goes to their server).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api
from owncastctl import federation_view as view
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.errors import CtlUsageError, ServerRefusedError
from owncastctl.output import when
from owncastctl.state import State, get_state

app = typer.Typer(
    help="Fediverse followers: list them, approve or reject follow requests, block.",
    no_args_is_help=True,
)
NOUNS = {"pending": "follow request", "follower": "follower", "blocked": "blocked actor"}
WhoArg = Annotated[
    str,
    typer.Argument(
        metavar="ACCOUNT_OR_IRI",
        help="user@host (or just user when unique), or the actor IRI (see `followers list`).",
    ),
]


def _table(state: State, people: list[dict[str, Any]], title: str, blocked: bool) -> None:
    columns = ["account", "name", "since"] + (["blocked"] if blocked else [])
    table = state.out.table(*columns, title=title)
    for person in people:
        row = [escape(view.account(person)), escape(str(person.get("name") or ""))]
        row.append(when(person.get("timestamp")))
        if blocked:
            row.append(when(person.get("disabledAt")))
        table.add_row(*row)
    state.out.show(table)


@app.command("list")
def list_(
    ctx: typer.Context,
    pending: Annotated[bool, typer.Option("--pending", help="Follow requests waiting.")] = False,
    blocked: Annotated[bool, typer.Option("--blocked", help="Rejected or blocked.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Approved followers (or, with --pending, follow requests; with --blocked, blocked ones).

    --json prints the server's answer: GET /api/admin/followers → {"total": n, "results":
    [Follower]}; --pending and --blocked → [Follower]. A Follower is {"link", "name",
    "username", "image", "timestamp", "disabledAt"}.
    """
    if pending and blocked:
        raise CtlUsageError("--pending and --blocked cannot be combined")
    state = get_state(ctx)
    if pending:
        call, title = api.pending_followers(), "{n} follow request(s)"
    elif blocked:
        call, title = api.blocked_followers(), "{n} blocked"
    else:
        call, title = api.followers(offset=offset, limit=limit), "{n} follower(s)"
    payload = state.call(call)
    if as_json:
        state.out.json(payload)
        return
    people = view.entries(payload)
    _table(state, people, title.format(n=view.total(payload)), blocked)
    if not people and pending:
        state.out.note("no follow requests: they wait here when federation/private is on")


def _fetch(state: State, name: str) -> list[dict[str, Any]]:
    if name == "follower":
        return view.all_followers(state.call)
    call = api.pending_followers() if name == "pending" else api.blocked_followers()
    return view.entries(state.call(call))


def _find(state: State, query: str, wanted: tuple[str, ...], verb: str) -> dict[str, Any]:
    """The one follower `query` names in the `wanted` lists, or a clear error (the other lists
    are only read to say where a name that is not in the wanted ones is)."""
    found = view.matches([f for name in wanted for f in _fetch(state, name)], query)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(view.account(f) for f in found)
        raise CtlUsageError(f"{query!r} matches {len(found)} accounts ({names}): give user@host")
    for name in ("pending", "follower", "blocked"):
        if name not in wanted and view.matches(_fetch(state, name), query):
            raise ServerRefusedError(f"cannot {verb} {query}: it is {_where(name)}")
    nouns = " or ".join(NOUNS[name] for name in wanted)
    raise ServerRefusedError(
        f"no {nouns} matches {query!r} (see `owncastctl followers list [--pending]`)"
    )


def _where(name: str) -> str:
    return {
        "pending": "a pending follow request",
        "follower": "an approved follower",
        "blocked": "blocked already",
    }[name]


@app.command()
def approve(ctx: typer.Context, who: WhoArg) -> None:
    """Approve a follow request: the server sends the Accept and they start following."""
    state = get_state(ctx)
    person = _find(state, who, ("pending",), "approve")
    state.act(api.approve_follower(str(person["link"]), True), f"{view.account(person)} approved")


@app.command()
def reject(ctx: typer.Context, who: WhoArg, yes: YesOpt = False) -> None:
    """Reject a follow request. Owncast sends approved=false, the same as `block`: the actor
    is listed as blocked and no Reject is sent to their server."""
    state = get_state(ctx)
    person = _find(state, who, ("pending",), "reject")
    confirm(f"Reject (and block) {view.account(person)}?", yes)
    state.act(api.approve_follower(str(person["link"]), False), f"{view.account(person)} rejected")


@app.command()
def block(ctx: typer.Context, who: WhoArg, yes: YesOpt = False) -> None:
    """Block a follower or a follow request. Owncast sends approved=false, the same as
    `reject`: they stop receiving posts and their activity is ignored."""
    state = get_state(ctx)
    person = _find(state, who, ("follower", "pending"), "block")
    confirm(f"Block {view.account(person)}?", yes)
    state.act(api.approve_follower(str(person["link"]), False), f"{view.account(person)} blocked")

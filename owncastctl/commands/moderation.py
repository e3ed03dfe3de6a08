"""`users …` and `ipbans …`: chat users, moderators, bans."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.output import when
from owncastctl.state import State, get_state

users_app = typer.Typer(
    help="Chat users: list, search, ban, moderators, delete.", no_args_is_help=True
)
ipbans_app = typer.Typer(help="Banned IP addresses.", no_args_is_help=True)
STATUSES = ("moderators", "banned", "bots")
UserArg = Annotated[str, typer.Argument(help="The user id (see `users list`).")]


def user_flags(user: dict[str, Any]) -> str:
    """`mod, bot, banned, authenticated` for a user object."""
    flags = []
    if "MODERATOR" in (user.get("scopes") or []):
        flags.append("mod")
    if user.get("isBot"):
        flags.append("bot")
    if user.get("disabledAt"):
        flags.append("banned")
    if user.get("authenticated"):
        flags.append("authenticated")
    return ", ".join(flags)


def print_users(state: State, answer: Any, as_json: bool) -> None:
    """Show `{total, results}` (or a bare list) as a table or JSON."""
    if as_json:
        state.out.json(answer)
        return
    results = answer.get("results", []) if isinstance(answer, dict) else answer or []
    total = answer.get("total", len(results)) if isinstance(answer, dict) else len(results)
    table = state.out.table("id", "name", "created", "flags", title=f"{total} user(s)")
    for user in results:
        table.add_row(
            escape(str(user.get("id", ""))),
            escape(str(user.get("displayName", ""))),
            when(user.get("createdAt")),
            user_flags(user),
        )
    state.out.show(table)


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="Only moderators, banned users or bots.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many (newest first).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Chat users, newest first.

    --json prints GET /api/admin/users: {"total": n, "results": [user]}.
    """
    state = get_state(ctx)
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"must be one of {', '.join(STATUSES)}", param_hint="--status")
    print_users(
        state, state.call(api.users(status=status or "", limit=limit, offset=offset)), as_json
    )


@users_app.command("search")
def users_search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Part of a display name.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Find users by display name.

    --json prints GET /api/admin/users?search=…: {"total": n, "results": [user]}.
    """
    state = get_state(ctx)
    print_users(state, state.call(api.users(search=query, limit=limit)), as_json)


@users_app.command()
def ban(ctx: typer.Context, user_id: UserArg) -> None:
    """Ban a user: hides their messages, disconnects them and bans their IP addresses."""
    get_state(ctx).act(api.set_user_enabled(user_id, False), f"user {user_id} banned")


@users_app.command()
def unban(ctx: typer.Context, user_id: UserArg) -> None:
    """Let a banned user chat again (their IP bans stay: see `ipbans`)."""
    get_state(ctx).act(api.set_user_enabled(user_id, True), f"user {user_id} unbanned")


@users_app.command()
def mod(ctx: typer.Context, user_id: UserArg) -> None:
    """Make a user a chat moderator."""
    get_state(ctx).act(api.set_moderator(user_id, True), f"user {user_id} is now a moderator")


@users_app.command()
def unmod(ctx: typer.Context, user_id: UserArg) -> None:
    """Remove a user's moderator rights."""
    get_state(ctx).act(
        api.set_moderator(user_id, False), f"user {user_id} is no longer a moderator"
    )


@users_app.command()
def delete(ctx: typer.Context, user_id: UserArg, yes: YesOpt = False) -> None:
    """Delete a user and their data."""
    state = get_state(ctx)
    confirm(f"Delete user {user_id} and their data?", yes)
    state.act(api.delete_user(user_id), f"user {user_id} deleted")


@ipbans_app.command("list")
def ipbans_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Banned IP addresses.

    --json prints [{"ipAddress", "notes", "createdAt"}].
    """
    state = get_state(ctx)
    bans = state.call(api.ip_bans()) or []
    if as_json:
        state.out.json(bans)
        return
    table = state.out.table("IP address", "since", "notes")
    for ban_ in bans:
        table.add_row(
            escape(str(ban_.get("ipAddress", ""))),
            when(ban_.get("createdAt")),
            escape(str(ban_.get("notes", ""))),
        )
    state.out.show(table)


def _address(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        raise typer.BadParameter(f"not an IP address: {raw!r}", param_hint="ADDRESS") from None


AddressArg = Annotated[str, typer.Argument(help="An IPv4 or IPv6 address.")]


@ipbans_app.command("add")
def ipbans_add(ctx: typer.Context, address: AddressArg) -> None:
    """Ban an IP address from chat."""
    get_state(ctx).act(api.ban_ip(_address(address)), f"{address} banned")


@ipbans_app.command("remove")
def ipbans_remove(ctx: typer.Context, address: AddressArg) -> None:
    """Lift an IP ban."""
    get_state(ctx).act(api.unban_ip(_address(address)), f"{address} unbanned")

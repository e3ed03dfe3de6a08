"""`federation post|actions` and `notifications test`, and the registration of these groups and
`followers` (one line in cli.py)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api, server_url
from owncastctl import federation_view as view
from owncastctl.commands import JsonOpt, followers
from owncastctl.errors import CtlUsageError, ServerRefusedError
from owncastctl.output import when
from owncastctl.state import get_state

app = typer.Typer(
    help="The server's fediverse account: post a note, see follows, likes and boosts.",
    no_args_is_help=True,
)
notifications_app = typer.Typer(
    help="Go-live notifications (Discord, browser push).", no_args_is_help=True
)
DISABLED_HINT = (
    "federation is disabled on this server: turn it on with "
    "`owncastctl config set federation.enabled true` (server.url must be set too)"
)


@app.command()
def post(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The note (markdown; #hashtags become links).")],
) -> None:
    """Post a public note from the server's fediverse account to its followers."""
    if not text.strip():
        raise CtlUsageError("the post is empty")
    state = get_state(ctx)
    if server_url.missing(state.call(api.server_config())):
        raise ServerRefusedError(server_url.NO_URL_POST)
    try:
        state.call(api.federation_send(text))
    except ServerRefusedError as exc:
        if exc.status == 400 and "disabled" in exc.format_message().lower():
            raise ServerRefusedError(DISABLED_HINT, exc.status) from exc
        raise
    state.out.done("posted to the fediverse")


@app.command()
def actions(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Activities per page.")] = 50,
    page: Annotated[int, typer.Option(min=0, help="Which page (0 is the newest).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Follows, likes and boosts the server accepted, newest first.

    --json prints GET /api/admin/federation/actions: {"total": n, "results": [{"iri",
    "actorIRI", "type", "timestamp"}]}. (Owncast reads its `offset` parameter as a page
    number; --page is sent there.)
    """
    state = get_state(ctx)
    payload = state.call(api.federation_actions(page=page, limit=limit))
    if as_json:
        state.out.json(payload)
        return
    count = view.total(payload)
    pages = max(1, math.ceil(count / limit))
    title = f"{count} activities · page {page} (last: {pages - 1})"
    table = state.out.table("when", "what", "actor", title=title)
    for activity in view.entries(payload):
        table.add_row(
            when(activity.get("timestamp")),
            escape(view.kind(activity)),
            escape(str(activity.get("actorIRI") or "")),
        )
    state.out.show(table)


def _names(answer: dict[str, Any], outcome: str) -> list[str]:
    names = answer.get(outcome)
    return [str(n) for n in names] if isinstance(names, list) else []


@notifications_app.command()
def test(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Send the go-live notifications now (to every configured channel), to check the setup.

    Shows which channels were sent, skipped (off) and failed, when the server says; --json
    prints the server's answer.
    """
    state = get_state(ctx)
    answer = state.call(api.notifications_test())
    answer = answer if isinstance(answer, dict) else {}
    if as_json:
        state.out.json(answer)
        return
    if not any(outcome in answer for outcome in ("sent", "skipped", "failed")):
        message = answer.get("message")
        state.out.done(str(message) if message else "test notifications sent")
        return
    sent, skipped, failed = (_names(answer, o) for o in ("sent", "skipped", "failed"))
    if sent:
        state.out.done(f"sent: {', '.join(sent)}")
    else:
        state.out.warn("nothing sent: no notification channel is on")
    if skipped:
        state.out.print(f"skipped (off): {escape(', '.join(skipped))}")
    for name in failed:
        state.out.warn(f"{name} failed: `owncastctl logs --warnings` shows why")
    if failed:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add the `followers`, `federation` and `notifications` groups to the root app."""
    root.add_typer(followers.app, name="followers")
    root.add_typer(app, name="federation")
    root.add_typer(notifications_app, name="notifications")

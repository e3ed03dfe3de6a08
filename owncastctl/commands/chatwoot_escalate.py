"""`chatwoot escalate`: send a chat message (or a user) to the streamer's team in Chatwoot.

Registered into the `chatwoot` command group (created here if the group's own module has not
made it yet), so `chatwoot setup/status` and this command share one group.
"""

from __future__ import annotations

from typing import Annotated

import typer

from owncastctl.chatwoot_api import escalate_call
from owncastctl.state import get_state

GROUP = "chatwoot"


def escalate(
    ctx: typer.Context,
    message_id: Annotated[
        str, typer.Argument(help="The chat message id (see `chat tail --ids`); '' with --user.")
    ] = "",
    user: Annotated[str, typer.Option("--user", help="Escalate a user instead.")] = "",
    note: Annotated[str, typer.Option(help="A note for the team.")] = "",
) -> None:
    """Send a chat message (or a user) to the team: a Chatwoot conversation with the message,
    its author and their recent messages."""
    if not message_id and not user:
        raise typer.BadParameter("give a MESSAGE_ID or --user USER_ID")
    get_state(ctx).act(escalate_call(message_id, user, note), "sent to the team")


def register(app: typer.Typer) -> None:
    """Add `escalate` to the app's `chatwoot` group (creating the group if needed)."""
    group = next(
        (g.typer_instance for g in app.registered_groups if g.name == GROUP and g.typer_instance),
        None,
    )
    if group is None:
        group = typer.Typer(help="The Chatwoot bridge: the team's inbox.", no_args_is_help=True)
        app.add_typer(group, name=GROUP)
    group.command("escalate")(escalate)

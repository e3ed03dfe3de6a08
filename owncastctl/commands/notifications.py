"""`notifications test`: send the go-live notifications now (Discord, browser push, the
Fediverse post), to check they are set up right."""

from __future__ import annotations

import typer

from owncastctl.api import Call
from owncastctl.state import get_state

app = typer.Typer(help="Go-live notifications.", no_args_is_help=True)


@app.command()
def test(ctx: typer.Context) -> None:
    """Send the go-live notifications now; each enabled channel sends (failures are in the
    daemon's log)."""
    state = get_state(ctx)
    call = Call("POST", "/api/admin/notifications/test", what="sending the notifications")
    answer = state.call(call)
    channels = answer.get("channels", []) if isinstance(answer, dict) else []
    state.out.print(f"sent the go-live notifications ({', '.join(map(str, channels))})")

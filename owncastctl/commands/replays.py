"""`replays list|show|delete|export`: recordings of past broadcasts (issue 14)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import replays_view as view
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.errors import ServerRefusedError
from owncastctl.output import duration, when
from owncastctl.state import State, get_state

app = typer.Typer(help="Recordings of past broadcasts.", no_args_is_help=True)
IdArg = Annotated[str, typer.Argument(help="The replay's id (see `owncastctl replays list`).")]


def _find(state: State, replay_id: str) -> dict[str, Any]:
    for replay in view.listed(state.call(view.admin_replays())):
        if replay.get("id") == replay_id:
            return replay
    raise ServerRefusedError(f"no replay {replay_id!r} (see `owncastctl replays list`)", 404)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every replay, newest first, and why recording stopped if it did.

    --json prints {"replays": [AdminReplay], "recording": id or null, "problem": text or null}.
    """
    state = get_state(ctx)
    payload = state.call(view.admin_replays())
    if as_json:
        state.out.json(payload)
        return
    table = state.out.table("id", "started", "length", "size", "state", "title")
    for replay in view.listed(payload):
        table.add_row(
            str(replay.get("id", "")),
            when(replay.get("startedAt")),
            duration(float(replay.get("duration") or 0)),
            view.size(replay.get("sizeBytes")),
            view.state(replay),
            escape(str(replay.get("title", ""))),
        )
    state.out.show(table)
    problem = payload.get("problem") if isinstance(payload, dict) else None
    if problem:
        state.out.warn(str(problem))


@app.command()
def show(ctx: typer.Context, replay_id: IdArg, as_json: JsonOpt = False) -> None:
    """One replay. --json prints the AdminReplay object."""
    state = get_state(ctx)
    replay = _find(state, replay_id)
    if as_json:
        state.out.json(replay)
        return
    fields = [
        ("title", replay.get("title")),
        ("started", when(replay.get("startedAt"))),
        ("ended", when(replay.get("endedAt")) if replay.get("endedAt") else "(recording)"),
        ("length", duration(float(replay.get("duration") or 0))),
        ("peak viewers", replay.get("peakViewers")),
        ("size", view.size(replay.get("sizeBytes"))),
        ("state", view.state(replay)),
        ("playlist", replay.get("playlistUrl")),
        ("mp4", replay.get("downloadUrl") or "(not exported: owncastctl replays export)"),
    ]
    for name, value in fields:
        state.out.print(f"[bold]{name}[/]: {escape(str(value))}")


@app.command()
def delete(ctx: typer.Context, replay_id: IdArg, yes: YesOpt = False) -> None:
    """Delete a replay: its files and its row."""
    state = get_state(ctx)
    replay = _find(state, replay_id)
    confirm(f"Delete the replay {replay.get('title', '')!r} ({replay_id})?", yes)
    state.act(view.delete_replay(replay_id), f"replay {replay_id} deleted")


@app.command()
def export(ctx: typer.Context, replay_id: IdArg, as_json: JsonOpt = False) -> None:
    """Export a finished replay to MP4 (ffmpeg -c copy); --json prints the AdminReplay."""
    state = get_state(ctx)
    _find(state, replay_id)
    replay = state.call(view.export_replay(replay_id))
    if as_json:
        state.out.json(replay)
        return
    url = replay.get("downloadUrl") if isinstance(replay, dict) else None
    state.out.done(f"replay {replay_id} exported: {url}")

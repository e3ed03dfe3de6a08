"""`emoji …`, `logs`, `version`."""

from __future__ import annotations

import base64
import mimetypes
import time
from collections import deque
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import __version__, api
from owncastctl.commands import JsonOpt
from owncastctl.errors import CtlUsageError, UnreachableError
from owncastctl.output import clock
from owncastctl.state import get_state, server_version

emoji_app = typer.Typer(help="Custom chat emoji.", no_args_is_help=True)
LEVEL_STYLES = {
    "error": "bold red",
    "fatal": "bold red",
    "warning": "yellow",
    "warn": "yellow",
    "info": "",
    "debug": "dim",
    "trace": "dim",
}
LOG_POLL_SECONDS = 2.0


@emoji_app.command("list")
def emoji_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The custom emoji.

    --json prints GET /api/emoji: [{"name", "url"}].
    """
    state = get_state(ctx)
    emoji = state.call(api.emoji_list()) or []
    if as_json:
        state.out.json(emoji)
        return
    table = state.out.table("name", "url")
    for item in emoji:
        table.add_row(f":{escape(str(item.get('name', '')))}:", escape(str(item.get("url", ""))))
    state.out.show(table)


@emoji_app.command("add")
def emoji_add(
    ctx: typer.Context,
    image: Annotated[Path, typer.Argument(help="An image file (png, gif, jpg, svg, webp).")],
    name: Annotated[
        str | None, typer.Option(help="File name to use (default: the image's).")
    ] = None,
) -> None:
    """Upload a custom emoji; its name is the file name without extension."""
    state = get_state(ctx)
    kind = mimetypes.guess_type(image.name)[0] or ""
    if not kind.startswith("image/"):
        raise CtlUsageError(f"{image.name} is not an image file (.png, .gif, .jpg, .svg, .webp)")
    try:
        data = image.read_bytes()
    except OSError as exc:
        raise CtlUsageError(f"cannot read {image}: {exc.strerror}") from exc
    uri = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    filename = name or image.name
    state.act(api.upload_emoji(filename, uri), f"emoji :{Path(filename).stem}: added")


@emoji_app.command("remove")
def emoji_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The emoji's name (as in `emoji list`).")],
) -> None:
    """Delete a custom emoji."""
    state = get_state(ctx)
    wanted = name.strip(":")
    for item in state.call(api.emoji_list()) or []:
        filename = Path(str(item.get("url", ""))).name
        if wanted in (item.get("name"), filename):
            state.act(api.delete_emoji(filename), f"emoji :{item.get('name')}: removed")
            return
    raise CtlUsageError(f"no emoji named {wanted!r} (see `emoji list`)")


def log_line(entry: dict[str, Any]) -> str:
    """`12:00:01 WARNING message` with the level coloured."""
    level = str(entry.get("level", "info")).lower()
    style = LEVEL_STYLES.get(level, "")
    label = f"[{style}]{level.upper():7}[/]" if style else f"{level.upper():7}"
    return f"[dim]{clock(entry.get('time'))}[/] {label} {escape(str(entry.get('message', '')))}"


def logs(
    ctx: typer.Context,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="Only warnings and errors.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many past lines.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The daemon's recent log lines (from its in-memory buffer).

    --json prints [{"message", "level", "time"}]; with -f, one such object per line.
    """
    state = get_state(ctx)
    entries = state.call(api.logs(warnings=warnings)) or []
    recent = entries[-limit:] if limit > 0 else []
    if as_json and not follow:
        state.out.json(recent)
        return
    seen: deque[tuple[str, str]] = deque(maxlen=5000)

    def emit(batch: list[dict[str, Any]]) -> None:
        for entry in batch:
            mark = (str(entry.get("time")), str(entry.get("message")))
            if mark in seen:
                continue
            seen.append(mark)
            if as_json:
                state.out.json_line(entry)
            else:
                state.out.print(log_line(entry))

    for entry in entries[: len(entries) - len(recent)]:
        seen.append((str(entry.get("time")), str(entry.get("message"))))
    emit(recent)
    if not recent and not as_json:
        state.out.note("no log lines" if not warnings else "no warnings")
    if not follow:
        return
    try:
        while True:
            time.sleep(LOG_POLL_SECONDS)
            try:
                emit(state.client().send(api.logs(warnings=warnings)) or [])
            except UnreachableError:
                state.out.note("owncastd is not answering; retrying")
    except KeyboardInterrupt:
        return


def version(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """owncastctl's version, and the server's when it answers.

    --json prints {"owncastctl": "x.y.z", "server": "…" | null, "owncastApi": "…" | null}:
    the daemon's own version and the Owncast API version it implements.
    """
    state = get_state(ctx)
    server, api_version = server_version(state)
    if as_json:
        state.out.json({"owncastctl": __version__, "server": server, "owncastApi": api_version})
        return
    state.out.print(f"owncastctl {__version__}", markup=False)
    if server:
        speaks = f" (Owncast API {api_version})" if api_version else ""
        state.out.print(f"server {server}{speaks} at {state.client().conn.base}", markup=False)

"""`schedule list|add|edit|cancel|delete|preview`: scheduled streams (Owncast develop §5.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.errors import CtlUsageError
from owncastctl.schedule_view import local_start, upcoming
from owncastctl.state import State, get_state

app = typer.Typer(help="Scheduled streams: one-off events and series.", no_args_is_help=True)
NameOpt = Annotated[str | None, typer.Option("--name", help="What the stream is called.")]
StartOpt = Annotated[
    str | None,
    typer.Option("--start", help="RFC 3339 start with an offset, e.g. 2026-05-01T18:00:00+02:00."),
]
ZoneOpt = Annotated[
    str | None, typer.Option("--timezone", help="IANA zone, e.g. Europe/Paris (default UTC).")
]
DurationOpt = Annotated[
    int | None, typer.Option("--duration", min=1, max=10080, help="Minutes (default 60).")
]
DescriptionOpt = Annotated[str | None, typer.Option("--description", help="Shown to viewers.")]
RruleOpt = Annotated[
    str | None,
    typer.Option(
        "--rrule",
        help="Make a series: an RRULE such as FREQ=WEEKLY;BYDAY=MO, from --start's local time "
        "in --timezone.",
    ),
]


def _start(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise CtlUsageError(f"--start must be an RFC 3339 time with an offset (got {value!r})")
    return parsed


def recurrence(rrule: str, start: str | None, zone: str | None) -> str:
    """The DTSTART;TZID + RRULE pair Owncast takes, from --rrule, --start and --timezone."""
    if start is None or zone is None:
        raise CtlUsageError("--rrule needs --start and --timezone (the series' first slot)")
    try:
        from zoneinfo import ZoneInfo

        local = _start(start).astimezone(ZoneInfo(zone))
    except (ValueError, KeyError, OSError):
        raise CtlUsageError(f"unknown timezone {zone!r}") from None
    rule = rrule.removeprefix("RRULE:")
    return f"DTSTART;TZID={zone}:{local:%Y%m%dT%H%M%S}\nRRULE:{rule}"


def _show(state: State, schedule: Any, *, everything: bool, as_json: bool) -> None:
    schedule = schedule if isinstance(schedule, dict) else {}
    listed = [e for e in schedule.get("events") or [] if isinstance(e, dict)]
    events = listed if everything else upcoming(listed)
    if as_json:
        state.out.json({"series": schedule.get("series", []), "events": events})
        return
    table = state.out.table("id", "starts", "min", "name", "status")
    for event in events:
        table.add_row(
            str(event.get("id", "")),
            local_start(event),
            str(event.get("durationMinutes", "")),
            escape(str(event.get("name", ""))),
            str(event.get("status", "")),
        )
    state.out.show(table)
    series = schedule.get("series") or []
    if series:
        rows = state.out.table("series id", "name", "recurrence", "active")
        for item in series:
            rows.add_row(
                str(item.get("id", "")),
                escape(str(item.get("name", ""))),
                escape(str(item.get("recurrence", "")).replace("\n", " ")),
                "yes" if item.get("active") else "no",
            )
        state.out.show(rows)


@app.command("list")
def list_(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Also past events (3 months back).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Upcoming events (and every series).

    --json prints {"series": [ScheduledEventSeries], "events": [ScheduledEvent]} (events not
    over yet unless --all).
    """
    state = get_state(ctx)
    _show(state, state.call(api.admin_schedule()), everything=everything, as_json=as_json)


def _body(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the stream is called.")],
    start: StartOpt = None,
    timezone: ZoneOpt = None,
    duration: DurationOpt = None,
    description: DescriptionOpt = None,
    rrule: RruleOpt = None,
) -> None:
    """Schedule a stream: once (--start) or as a series (--rrule with --start and --timezone).

    Example: `schedule add "Monday show" --start 2026-03-02T18:00:00+01:00 --timezone
    Europe/Paris --rrule "FREQ=WEEKLY;BYDAY=MO"`.
    """
    state = get_state(ctx)
    if rrule is not None:
        body = _body(name=name, recurrence=recurrence(rrule, start, timezone))
    elif start is None:
        raise CtlUsageError("give --start (and --rrule for a series)")
    else:
        body = _body(name=name, start=_start(start).isoformat(), timezone=timezone)
    body |= _body(durationMinutes=duration, description=description)
    state.call(api.upsert_event(body))
    state.out.done(f"{'series' if rrule else 'event'} {name!r} scheduled")


@app.command()
def edit(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The event or series id (see `schedule list`).")],
    name: NameOpt = None,
    start: StartOpt = None,
    duration: DurationOpt = None,
    description: DescriptionOpt = None,
    rrule: RruleOpt = None,
    timezone: ZoneOpt = None,
) -> None:
    """Change an event (name, start, duration, description) or a series (its --rrule too;
    its future occurrences are generated again)."""
    state = get_state(ctx)
    schedule = state.call(api.admin_schedule()) or {}
    items = [*(schedule.get("series") or []), *(schedule.get("events") or [])]
    current = next((item for item in items if item.get("id") == item_id), None)
    if current is None:
        raise CtlUsageError(
            f"no scheduled event or series with id {item_id!r} (see `schedule list`)"
        )
    body = _body(id=item_id, name=name or current.get("name"), durationMinutes=duration)
    body |= _body(description=description)
    if rrule is not None:
        body["recurrence"] = recurrence(rrule, start, timezone)
    elif start is not None:
        body["start"] = _start(start).isoformat()
    state.call(api.upsert_event(body))
    state.out.done(f"{item_id} updated")


@app.command()
def cancel(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The event or series id.")],
) -> None:
    """Cancel an event (it stays, marked cancelled) or stop a series (no new occurrences)."""
    state = get_state(ctx)
    state.act(api.delete_event(item_id, cancel=True), f"{item_id} cancelled")


@app.command()
def delete(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The event or series id.")],
    yes: YesOpt = False,
) -> None:
    """Delete an event, or a series and its future occurrences."""
    state = get_state(ctx)
    confirm(f"Delete {item_id}?", yes)
    state.act(api.delete_event(item_id, cancel=False), f"{item_id} deleted")


@app.command()
def preview(
    ctx: typer.Context,
    rrule: Annotated[str, typer.Argument(help="An RRULE such as FREQ=WEEKLY;BYDAY=MO.")],
    start: Annotated[str, typer.Option("--start", help="RFC 3339 first slot.")],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA zone.")] = "UTC",
    as_json: JsonOpt = False,
) -> None:
    """The next 5 occurrences of a series, as the server computes them.

    --json prints {"occurrences": [RFC 3339 times]}.
    """
    state = get_state(ctx)
    answer = state.call(api.preview_recurrence(recurrence(rrule, start, timezone)))
    if as_json:
        state.out.json(answer)
        return
    for when in answer.get("occurrences") or []:
        state.out.print(local_start({"startTime": when, "timezone": timezone}), markup=False)

"""`cluster status`: the origin's view of a cluster (issue 18): Redis health, the live edges
with their sockets, viewers and lag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.markup import escape

from owncastctl.api import Call
from owncastctl.commands import JsonOpt
from owncastctl.output import clock
from owncastctl.state import get_state

app = typer.Typer(help="An origin and its edges over Redis: check on them.", no_args_is_help=True)
STATUS_PATH = "/api/admin/cluster"


def redis_line(redis: dict[str, Any] | None) -> str:
    """`up (0.4 ms) redis://…` or `DOWN redis://…`."""
    if not redis:
        return "—"
    url = escape(str(redis.get("url") or ""))
    if redis.get("ok"):
        return f"up ({float(redis.get('latencyMs') or 0):.1f} ms) {url}"
    return f"[red]DOWN[/red] {url}"


@app.command("status")
def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Role, Redis health and every live edge (sockets, viewers, lag, last heartbeat).

    --json prints GET /api/admin/cluster: {"role", "redis": {"ok", "url", "latencyMs"} (null on
    a single node; the URL's password masked), "edges": [{"id", "url", "sockets", "viewers",
    "lagMs", "lastSeen", "redisOk"}]}.
    """
    state = get_state(ctx)
    found = state.call(Call("GET", STATUS_PATH, what="reading the cluster status")) or {}
    if as_json:
        state.out.json(found)
        return
    role = str(found.get("role") or "single")
    if role == "single":
        state.out.print(escape("Single node: no [cluster] is configured."))
        return
    state.out.print(f"Role: {escape(role)}    Redis: {redis_line(found.get('redis'))}")
    edges = found.get("edges") or []
    if not edges:
        state.out.print("No live edges.")
        return
    table = state.out.table("edge", "url", "sockets", "viewers", "lag", "last seen", "redis",
                            title="Edges")  # fmt: skip
    for edge in edges:
        table.add_row(
            escape(str(edge.get("id"))),
            escape(str(edge.get("url") or "")),
            str(edge.get("sockets", 0)),
            str(edge.get("viewers", 0)),
            f"{float(edge.get('lagMs') or 0):.1f} ms",
            clock(_iso(edge.get("lastSeen"))),
            "ok" if edge.get("redisOk") else "[red]down[/red]",
        )
    state.out.show(table)


def _iso(unix: Any) -> str | None:
    try:
        return datetime.fromtimestamp(float(unix), UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None

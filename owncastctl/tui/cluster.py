"""The dashboard's cluster panel (issue 18): Redis health and each live edge's sockets,
viewers and lag. Hidden on a single node."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static


def panel_lines(status: Any) -> list[str]:
    """Markup lines for `GET /api/admin/cluster` (narrow: ~28 columns)."""
    if not isinstance(status, dict) or status.get("role") in (None, "single"):
        return ["[dim]single node[/]"]
    redis = status.get("redis") or {}
    if redis.get("ok"):
        lines = [f"redis [green]up[/] {float(redis.get('latencyMs') or 0):.1f} ms"]
    else:
        lines = ["redis [bold red]DOWN[/]"]
    edges = status.get("edges") or []
    if not edges:
        lines.append("[dim]no live edges[/]")
    for edge in edges:
        lag = float(edge.get("lagMs") or 0)
        flag = "" if edge.get("redisOk", True) else " [red]![/]"
        lines.append(
            f"{escape(str(edge.get('id')))[:14]} {edge.get('sockets', 0)}s "
            f"{edge.get('viewers', 0)}v {lag:.0f}ms{flag}"
        )
    return lines


class ClusterPanel(Static):
    """The origin's `/api/admin/cluster`; hidden while the daemon is a single node."""

    def show(self, status: Any) -> None:
        """A new cluster status."""
        clustered = isinstance(status, dict) and status.get("role") not in (None, "single")
        self.display = clustered
        self.update(Text.from_markup("\n".join(panel_lines(status))))

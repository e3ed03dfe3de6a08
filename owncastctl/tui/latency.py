"""The dashboard's live latency panel: p50/p95 of what viewers see, and the p95 per minute."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static

from owncastctl.latency_view import latency_text, live_latency, p95_history

SPARK_WIDTH = 24


def _s(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) else "–"


def panel_lines(metrics: Any) -> list[str]:
    """Markup lines: p50/p95, the live edge and players, the p95 trend (narrow: ~28 columns)."""
    summary = live_latency(metrics)
    if summary is None or not summary.get("clients"):
        return [f"[dim]{escape(latency_text(summary))}[/]"]
    lines = [
        f"p50 [bold]{_s(summary.get('p50'))}[/] p95 [bold]{_s(summary.get('p95'))}[/]",
        f"[dim]edge {_s(summary.get('liveEdgeP50'))}/{_s(summary.get('liveEdgeP95'))}"
        f" · {summary.get('clients')} players[/]",
    ]
    history = p95_history(metrics, SPARK_WIDTH)
    if history:
        lines.append(f"p95 [cyan]{history}[/]")
    return lines


class LatencyPanel(Static):
    """owncastd's `liveLatency` of `/api/admin/metrics/video` (Owncast's: not reported)."""

    def show(self, metrics: Any) -> None:
        """A new `/api/admin/metrics/video`."""
        self.update(Text.from_markup("\n".join(panel_lines(metrics))))

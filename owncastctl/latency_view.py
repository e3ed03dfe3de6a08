"""The live latency viewers see, as owncastd's `/api/admin/metrics/video` reports it.

`liveLatency` is owncastd's additive object `{clients, p50, p95, liveEdgeP50, liveEdgeP95}`
(seconds, null without reports); Owncast itself has none, so everything here accepts its
absence. `liveLatencyP95` is the per-minute series of p95.
"""

from __future__ import annotations

from typing import Any

from owncastctl.output import series, sparkline


def live_latency(metrics: Any) -> dict[str, Any] | None:
    """The `liveLatency` object of a metrics answer (None when the server has none)."""
    found = metrics.get("liveLatency") if isinstance(metrics, dict) else None
    return found if isinstance(found, dict) else None


def _seconds(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) else "–"


def latency_text(summary: dict[str, Any] | None) -> str:
    """One line: `p50 6.3 s · p95 7.1 s (live edge 6.0 s / 6.1 s) · 3 players`."""
    if summary is None:
        return "not reported by this server"
    clients = summary.get("clients")
    if not isinstance(clients, int) or clients <= 0 or summary.get("p50") is None:
        if isinstance(summary.get("liveEdgeP50"), int | float):
            return (
                f"live edge p50 {_seconds(summary['liveEdgeP50'])} · "
                f"p95 {_seconds(summary.get('liveEdgeP95'))}"
            )
        return "no player reports in the last minute"
    players = "1 player" if clients == 1 else f"{clients} players"
    return (
        f"p50 {_seconds(summary.get('p50'))} · p95 {_seconds(summary.get('p95'))} "
        f"(live edge {_seconds(summary.get('liveEdgeP50'))} / "
        f"{_seconds(summary.get('liveEdgeP95'))}) · {players}"
    )


def p95_history(metrics: Any, width: int) -> str:
    """A sparkline of the per-minute p95 (empty without samples)."""
    values = series(metrics.get("liveLatencyP95")) if isinstance(metrics, dict) else []
    return sparkline(values, width)

"""The live latency viewers see: p50/p95 over the players that reported it recently.

The viewer page reports two figures in `POST /api/metrics/playback` (see
`owncastd/http/static/latency-report.js`): `latency`, the program date-time of the frame on
screen against the server's clock (what the viewer sees, Owncast's meaning), and the additive
`liveEdgeLatency`, the player's distance to the live edge of the playlist. Each client's newest
figures count for `fresh_seconds`; at most `max_clients` clients are kept (the one updated
longest ago is dropped first), so an unauthenticated flood cannot grow memory. A figure outside
0..600 s is not counted (logged: the first and every 1000th); zero means "not measured", as
in Owncast's reports.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from owncastd.core.playback import MAX_LIVE_LATENCY
from owncastd.metrics.series import MAX_SAMPLES, TimeSeries

log = logging.getLogger(__name__)

FRESH_SECONDS = 60.0
MAX_CLIENTS = 5_000


@dataclass(frozen=True)
class _Reading:
    latency: float | None
    live_edge: float | None
    at: datetime


@dataclass(frozen=True)
class LatencySummary:
    """p50/p95 (seconds, None without data) over the clients counted."""

    clients: int
    p50: float | None
    p95: float | None
    live_edge_p50: float | None
    live_edge_p95: float | None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (`pct` in 0..100) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def usable(value: float) -> bool:
    """Whether `value` is a measured live latency (finite, 0 < value ≤ 600 s)."""
    return math.isfinite(value) and 0 < value <= MAX_LIVE_LATENCY


class LiveLatency:
    """Each client's newest live latency figures, summarised as percentiles."""

    def __init__(
        self,
        *,
        max_clients: int = MAX_CLIENTS,
        fresh_seconds: float = FRESH_SECONDS,
        max_samples: int = MAX_SAMPLES,
    ) -> None:
        self._max_clients = max_clients
        self._fresh = fresh_seconds
        self._readings: OrderedDict[str, _Reading] = OrderedDict()
        self.p50 = TimeSeries(max_samples)
        self.p95 = TimeSeries(max_samples)
        self.ignored = 0  # figures outside 0..600 s (logged: the first, then every 1000th)

    def __len__(self) -> int:
        return len(self._readings)

    def record(self, client_id: str, now: datetime, latency: float, live_edge: float) -> None:
        """Take one report's figures (0: not measured; out of range: ignored)."""
        kept = self._checked(latency, "latency", client_id)
        edge = self._checked(live_edge, "liveEdgeLatency", client_id)
        if kept is None and edge is None:
            return
        self._readings.pop(client_id, None)
        if len(self._readings) >= self._max_clients:
            self._readings.popitem(last=False)
        self._readings[client_id] = _Reading(kept, edge, now)

    def _checked(self, value: float, name: str, client_id: str) -> float | None:
        if value == 0:
            return None  # not measured
        if usable(value):
            return value
        self.ignored += 1
        if self.ignored % 1000 == 1:
            log.info(
                "playback latency ignored client=%s field=%s value=%r (not within 0..%g s; "
                "%d so far)",
                client_id[:16],
                name,
                value,
                MAX_LIVE_LATENCY,
                self.ignored,
            )
        return None

    def _fresh_readings(self, now: datetime) -> list[_Reading]:
        while self._readings:
            oldest = next(iter(self._readings.values()))
            if (now - oldest.at).total_seconds() <= self._fresh:
                break
            self._readings.popitem(last=False)
        return list(self._readings.values())

    def summary(self, now: datetime) -> LatencySummary:
        """Percentiles over the clients that reported within the last `fresh_seconds`."""
        readings = self._fresh_readings(now)
        seen = [r.latency for r in readings if r.latency is not None]
        edges = [r.live_edge for r in readings if r.live_edge is not None]
        return LatencySummary(
            clients=len(readings),
            p50=percentile(seen, 50),
            p95=percentile(seen, 95),
            live_edge_p50=percentile(edges, 50),
            live_edge_p95=percentile(edges, 95),
        )

    def aggregate(self, now: datetime) -> None:
        """Append the current p50/p95 of what viewers see to the series (when any)."""
        current = self.summary(now)
        if current.p50 is not None and current.p95 is not None:
            self.p50.add(now, current.p50)
            self.p95.add(now, current.p95)

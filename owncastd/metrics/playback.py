"""Player reports (`POST /api/metrics/playback`) turned into per-minute series (reference §8.5).

Players report `{bandwidth (kbps), latency (s), downloadDuration (s), errors,
qualityVariantChanges}`. Within a window each client's newest report counts once (clients are
Owncast's MD5(IP + User-Agent) ids); every minute the window becomes one sample per series:
error and variant-change sums, and min/median/max of latency, segment download time and
bandwidth (those only when some player reported them). A window remembers at most
`max_clients` clients, so an unauthenticated flood cannot grow memory.

CMCD reports (`/api/metrics/cmcd`, develop §5.3) feed the same window and also each player's
latest figures (:class:`~owncastd.metrics.playback_clients.PlaybackClients`), which the admin
reads per viewer. The live latency of both kinds of report is summarised as p50/p95 by
:class:`~owncastd.metrics.live_latency.LiveLatency`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime

import trio

from owncastd.core.cmcd import CmcdReading, Reporter, reading
from owncastd.core.periodic import periodic
from owncastd.core.playback import PlaybackReport
from owncastd.metrics.live_latency import LiveLatency
from owncastd.metrics.playback_clients import MAX_TRACKED_CLIENTS, PlaybackClients
from owncastd.metrics.series import MAX_SAMPLES, TimeSeries

AGGREGATE_INTERVAL_SECONDS = 60.0
MAX_CLIENTS_PER_WINDOW = 10_000


class _Spread:
    """min, median and max series of one measurement."""

    def __init__(self, max_samples: int) -> None:
        self.low = TimeSeries(max_samples)
        self.median = TimeSeries(max_samples)
        self.high = TimeSeries(max_samples)

    def add(self, now: datetime, values: list[float]) -> None:
        if values:
            self.low.add(now, min(values))
            self.median.add(now, statistics.median(values))
            self.high.add(now, max(values))


class PlaybackMetrics:
    """Collects player reports and aggregates them every `interval` seconds."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        interval: float = AGGREGATE_INTERVAL_SECONDS,
        max_samples: int = MAX_SAMPLES,
        max_clients: int = MAX_CLIENTS_PER_WINDOW,
        max_tracked: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self._clock = clock
        self._interval = interval
        self._max_clients = max_clients
        self._window: dict[str, PlaybackReport] = {}
        self.errors = TimeSeries(max_samples)
        self.quality_variant_changes = TimeSeries(max_samples)
        self.latency = _Spread(max_samples)
        self.download_duration = _Spread(max_samples)
        self.bandwidth = _Spread(max_samples)
        self.reporting_clients = 0
        self.clients = PlaybackClients(max_tracked)
        self.live = LiveLatency(max_clients=max_tracked, max_samples=max_samples)

    def record(self, client_id: str, report: PlaybackReport) -> bool:
        """Remember `report` as `client_id`'s newest; False when the window is full."""
        if client_id not in self._window and len(self._window) >= self._max_clients:
            return False
        self._window[client_id] = report
        return True

    def record_cmcd(self, who: Reporter, report: dict[str, object]) -> None:
        """Take one CMCD report: the player's figures, and its newest report in the window."""
        figures = reading(report)
        before = self.clients.get(who.client_id)
        changes = before.quality_variant_changes if before else 0
        now = self._clock()
        after = self.clients.update(who, now, figures)
        self.live.record(who.client_id, now, figures.latency_seconds or 0.0, 0.0)
        self.record(
            who.client_id,
            PlaybackReport(
                bandwidth=figures.bandwidth_kbps or 0.0,
                latency=figures.latency_seconds or 0.0,
                download_duration=figures.download_seconds or 0.0,
                errors=float(figures.errors),
                quality_variant_changes=float(after.quality_variant_changes - changes),
            ),
        )

    def record_report(self, who: Reporter, report: PlaybackReport) -> bool:
        """Take one deprecated `/api/metrics/playback` report: the window as :meth:`record`,
        and the player's figures (its errors and variant changes count per report)."""
        figures = CmcdReading(
            bandwidth_kbps=report.bandwidth or None,
            latency_seconds=report.latency or None,
            download_seconds=report.download_duration or None,
            errors=int(report.errors),
            variant_changes=int(report.quality_variant_changes),
        )
        now = self._clock()
        self.clients.update(who, now, figures)
        self.live.record(who.client_id, now, report.latency, report.live_edge_latency)
        return self.record(who.client_id, report)

    def aggregate(self) -> None:
        """Close the current window: append one sample to each series."""
        reports = list(self._window.values())
        self._window = {}
        now = self._clock()
        self.reporting_clients = len(reports)
        self.errors.add(now, sum(r.errors for r in reports))
        self.quality_variant_changes.add(now, sum(r.quality_variant_changes for r in reports))
        self.latency.add(now, [r.latency for r in reports if r.latency])
        self.download_duration.add(
            now, [r.download_duration for r in reports if r.download_duration]
        )
        self.bandwidth.add(now, [r.bandwidth for r in reports if r.bandwidth])
        self.live.aggregate(now)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Aggregate every interval until cancelled."""
        task_status.started()
        await periodic(self._interval, self.aggregate)

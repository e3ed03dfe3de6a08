"""Live latency per client: bounded, fresh only, p50/p95, bad figures ignored with a log line."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

import pytest

from owncastd.metrics.live_latency import LiveLatency, percentile

T0 = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == 19.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_p50_p95_over_the_newest_figure_of_each_client():
    live = LiveLatency()
    for i in range(20):
        live.record(f"c{i}", T0, latency=float(i + 1), live_edge=0.5 * (i + 1))
    live.record("c0", T0, latency=30.0, live_edge=0.0)  # c0's newest replaces its first
    summary = live.summary(T0)
    assert summary.clients == 20
    assert summary.p50 == 11.0  # 2..20 and 30
    assert summary.p95 == 20.0
    assert summary.live_edge_p50 == 5.5  # c0 has no edge figure now: 1.0..10.0 without 0.5
    assert summary.live_edge_p95 == 10.0


def test_stale_clients_stop_counting_and_are_forgotten():
    live = LiveLatency(fresh_seconds=60)
    live.record("old", T0, latency=50.0, live_edge=0.0)
    live.record("new", T0 + timedelta(seconds=45), latency=3.0, live_edge=0.0)
    assert live.summary(T0 + timedelta(seconds=60)).p95 == 50.0
    later = live.summary(T0 + timedelta(seconds=61))
    assert (later.clients, later.p50, later.p95) == (1, 3.0, 3.0)
    assert len(live) == 1


def test_memory_is_bounded_by_evicting_the_stalest_client():
    live = LiveLatency(max_clients=3)
    for i in range(5):
        live.record(f"c{i}", T0 + timedelta(seconds=i), latency=float(i + 1), live_edge=0.0)
    assert len(live) == 3
    assert live.summary(T0 + timedelta(seconds=5)).p50 == 4.0  # c2..c4 are left


@pytest.mark.parametrize("bad", [math.inf, math.nan, -1.0, 600.5, 86_400.0])
def test_figures_outside_0_600_are_ignored_with_a_log_line(bad, caplog):
    live = LiveLatency()
    with caplog.at_level(logging.INFO, logger="owncastd.metrics.live_latency"):
        live.record("a", T0, latency=bad, live_edge=0.0)
    assert len(live) == 0
    assert "playback latency ignored" in caplog.text
    live.record("a", T0, latency=600.0, live_edge=bad)  # the good figure of a report counts
    summary = live.summary(T0)
    assert (summary.p50, summary.live_edge_p50) == (600.0, None)


def test_zero_means_not_measured_without_a_log_line(caplog):
    live = LiveLatency()
    with caplog.at_level(logging.INFO, logger="owncastd.metrics.live_latency"):
        live.record("a", T0, latency=0.0, live_edge=0.0)
    assert len(live) == 0
    assert caplog.text == ""


def test_aggregate_samples_the_percentiles_once_there_are_figures():
    live = LiveLatency()
    live.aggregate(T0)
    assert len(live.p50) == 0
    live.record("a", T0, latency=2.0, live_edge=1.0)
    live.record("b", T0, latency=4.0, live_edge=1.0)
    live.aggregate(T0 + timedelta(minutes=1))
    assert [s.value for s in live.p50.samples()] == [2.0]
    assert [s.value for s in live.p95.samples()] == [4.0]


def test_a_flood_of_bad_figures_logs_once_per_thousand(caplog):
    live = LiveLatency()
    with caplog.at_level(logging.INFO, logger="owncastd.metrics.live_latency"):
        for i in range(1001):
            live.record(f"c{i}", T0, latency=900.0, live_edge=0.0)
    assert live.ignored == 1001
    assert caplog.text.count("playback latency ignored") == 2
    assert len(live) == 0

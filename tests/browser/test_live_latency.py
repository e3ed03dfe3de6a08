"""Glass-to-glass latency in chromium over a real daemon and a real ffmpeg push (issue 13).

One lean run: the viewer page plays a live stream whose frames carry their number
(:mod:`tests.browser.glass_probe`) for 60 s without a stall, glass-to-glass stays under a
generous bound, with LL-HLS on at level 0, and the latency the page reports reaches
`/api/admin/metrics/video`.
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.browser.glass_probe import PROBE_JS, TimestampPusher, glass_seconds, percentile
from tests.browser.test_viewer_page import browser_page  # noqa: F401
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

LEVEL = 0  # 1 s segments
PLAY_SECONDS = 60
MAX_GLASS_SECONDS = 5.0  # LL-HLS: the goal is 3 s p95 (bench/latency.py --ll); generous here
LOW_LATENCY = {"OWNCAST_VIDEO_LOW_LATENCY": "true"}


def play_for(page, seconds: float) -> list[float]:
    """currentTime every 5 s over `seconds` of continuous play."""
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        times.append(page.evaluate("document.querySelector('#player').currentTime"))
        page.wait_for_timeout(5000)  # the page keeps playing meanwhile; this is the sampling step
    times.append(page.evaluate("document.querySelector('#player').currentTime"))
    return times


def video_metrics(daemon: DaemonProcess) -> dict:
    """GET /api/admin/metrics/video."""
    return daemon.get("/api/admin/metrics/video", auth=("admin", ADMIN_PASSWORD)).json()


def test_glass_to_glass_and_reported_latency(tmp_path, browser_page):  # noqa: F811
    page, errors = browser_page
    console: list[str] = []
    ll_parts: list[str] = []  # the page plays LL-HLS: it fetches parts
    page.on("request", lambda r: ll_parts.append(r.url) if "/hls/ll/" in r.url else None)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    write_config(tmp_path, latency=LEVEL)
    daemon = DaemonProcess(tmp_path, env=LOW_LATENCY).wait_ready()
    pusher = TimestampPusher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        page.add_init_script(PROBE_JS)
        page.goto(daemon.url + "/")
        page.wait_for_function("window.__glass && window.__glass.shown.length > 0", timeout=40_000)
        times = play_for(page, PLAY_SECONDS)
        glass = page.evaluate("window.__glass")
        origin = pusher.origin()
        metrics = wait_for(
            lambda: (m := video_metrics(daemon))["liveLatency"]["clients"] >= 1 and m,
            timeout=15,
            what="the page's latency report",
        )
    finally:
        pusher.stop()
        code = daemon.stop()
    assert code == 0, daemon.log()

    # Continuous play: currentTime advanced in every 5 s step, and hls.js never stalled.
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert all(step > 2.5 for step in steps[:-1]), steps
    assert glass["metrics"], "the page dispatched no playback metrics"
    assert glass["metrics"][-1]["stalls"] == 0, glass["metrics"][-1]

    seconds = glass_seconds(glass["shown"], origin)
    p50, p95 = percentile(seconds, 50), percentile(seconds, 95)
    edge = [m["liveEdgeLatency"] for m in glass["metrics"] if m["liveEdgeLatency"]]
    seen = [m["latency"] for m in glass["metrics"] if m["latency"]]
    print(
        f"\nlevel {LEVEL}: glass-to-glass p50={p50:.2f}s p95={p95:.2f}s "
        f"({len(seconds)} frames, {glass['bad']} unreadable); page: program date-time "
        f"p50={percentile(seen, 50):.2f}s, live edge p50={percentile(edge, 50):.2f}s; "
        f"server: {metrics['liveLatency']}"
    )
    assert len(seconds) > 100
    assert any(url.endswith(".m4s") for url in ll_parts), ll_parts[:5]
    assert glass["bad"] < len(seconds) / 10
    assert p50 > 0.2 and p95 < MAX_GLASS_SECONDS
    # The page's own estimates are in the same range, and what it reported reached the server.
    assert seen and edge
    live = metrics["liveLatency"]
    assert 0 < live["p50"] <= live["p95"] < MAX_GLASS_SECONDS
    assert 0 < live["liveEdgeP50"] < MAX_GLASS_SECONDS
    assert abs(percentile(seen, 50) - p50) < 1.0, (seen, p50)  # dated from arrival
    assert not errors, errors
    assert not console, console

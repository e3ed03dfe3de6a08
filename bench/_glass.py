"""Glass-to-glass latency in chromium for `bench/latency.py` (see tests/browser/glass_probe.py).

One run: a real owncastd at a latency level (optionally `[video] low_latency = true`, the LL-HLS
mode of the llhls branch), `ffmpeg -re` pushing frames that carry their own number, and the
viewer page in Debian's headless chromium. The page's init script reads the number of each
presented frame back from a canvas (requestVideoFrameCallback → drawImage → getImageData),
so glass-to-glass = when it was shown − when the pusher let it out, on this machine's clock.
Next to it: what the page itself reports (`owncast:playback-metrics`: program date-time
against the server clock, hls.js `latency` to the live edge and `targetLatency`), and what
reached `/api/admin/metrics/video`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _daemon import ROOT, Owncastd, write_config

sys.path.insert(0, str(ROOT))
from tests.browser.glass_probe import (
    PROBE_JS,
    TimestampPusher,
    glass_seconds,
    percentile,
)
from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS

ADMIN = ("admin", "bench-admin-password")
SETTLE_SECONDS = 8.0  # skipped after the first frame: hls.js seeks to its live position


@dataclass(frozen=True)
class GlassResult:
    """Figures of one run (seconds)."""

    frames: int
    unreadable: int
    glass: list[float]
    page_latency: list[float]
    live_edge: list[float]
    target: list[float]
    stalls: int
    server: dict[str, object]


def _values(metrics: list[dict[str, object]], key: str) -> list[float]:
    return [float(m[key]) for m in metrics if isinstance(m.get(key), int | float)]  # type: ignore[arg-type]


def _play(daemon: Owncastd, seconds: float) -> tuple[dict[str, object], float]:
    """Open the page, wait for the first readable frame, settle, then record `seconds`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.add_init_script(PROBE_JS)
        page.goto(daemon.url + "/")
        page.wait_for_function("window.__glass && window.__glass.shown.length > 0", timeout=60_000)
        page.wait_for_timeout(SETTLE_SECONDS * 1000)
        started = time.time() * 1000
        page.wait_for_timeout(seconds * 1000)
        glass = page.evaluate("window.__glass")
        browser.close()
    return glass, started


def run_glass(level: int, seconds: float, *, low_latency: bool, variants: str) -> GlassResult:
    """One daemon, one push, one chromium page for `seconds` of measured playback."""
    with tempfile.TemporaryDirectory(prefix="owncastd-glass-") as tmp:
        data_dir = Path(tmp)
        path = write_config(data_dir, latency=level, variants=variants)
        if low_latency:
            text = path.read_text().replace("[video]\n", "[video]\nlow_latency = true\n", 1)
            path.write_text(text)
        with Owncastd(data_dir) as daemon:
            pusher = TimestampPusher(daemon.rtmp_url)
            try:
                glass, started = _play(daemon, seconds)
                server = daemon.http.get(daemon.url + "/api/admin/metrics/video", auth=ADMIN).json()
                origin = pusher.origin()
            finally:
                pusher.stop()
    shown = [s for s in glass["shown"] if s[1] >= started]
    metrics = [m for m in glass["metrics"] if m["at"] >= started]
    return GlassResult(
        frames=len(shown),
        unreadable=int(glass["bad"]),
        glass=glass_seconds(shown, origin),
        page_latency=_values(metrics, "latency"),
        live_edge=_values(metrics, "liveEdgeLatency"),
        target=_values(metrics, "targetLatency"),
        stalls=int(metrics[-1]["stalls"]) if metrics else -1,
        server=dict(server.get("liveLatency") or {}),
    )


def print_glass(prefix: str, result: GlassResult) -> None:
    """`name=value` lines for one run."""

    def p(values: list[float], pct: float) -> str:
        return f"{percentile(values, pct):.3f}"

    print(f"{prefix}glass_frames={result.frames}")
    print(f"{prefix}glass_unreadable={result.unreadable}")
    print(f"{prefix}glass_p50_s={p(result.glass, 50)}")
    print(f"{prefix}glass_p95_s={p(result.glass, 95)}")
    print(f"{prefix}page_pdt_latency_p50_s={p(result.page_latency, 50)}")
    print(f"{prefix}page_pdt_latency_p95_s={p(result.page_latency, 95)}")
    print(f"{prefix}page_live_edge_p50_s={p(result.live_edge, 50)}")
    print(f"{prefix}page_live_edge_p95_s={p(result.live_edge, 95)}")
    target = statistics.median(result.target) if result.target else float("nan")
    print(f"{prefix}page_target_latency_s={target:.3f}")
    print(f"{prefix}page_stalls={result.stalls}")
    print(f"{prefix}server_live_latency={result.server}")

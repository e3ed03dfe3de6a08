"""Glass-to-glass latency: a live push whose frames carry their own number, read back in chromium.

The pusher (`ffmpeg -re`, lavfi) overlays a 60-pixel band on testsrc: 20 boxes, 32 px wide, that
spell the frame number N in binary (LSB left; upper row white = 1, lower row the complement,
so a box pair that is not clearly black/white is detected and the sample dropped). The band is
drawn by `geq` on a 20×2 gray picture scaled up with `neighbor`, so it costs next to nothing.
Frame N left the encoder at `origin + N / rate`; `origin` comes from the pusher's own
`-progress` reports (wall time of the report − out_time, the minimum over all reports), as in
`bench/latency.py`.

In the page, :data:`PROBE_JS` (an init script) follows the `<video id=player>` with
`requestVideoFrameCallback`: for every 4th presented frame it draws the band onto a canvas
(`drawImage(video, …)` then `getImageData`, which works headless in Debian's chromium without a
GPU), decodes N and keeps `[N, epoch ms it was shown]` (performance.timeOrigin +
expectedDisplayTime). It also keeps the page's own `owncast:playback-metrics` samples. Both live
in `window.__glass`. Glass-to-glass of a sample = shown − (origin + N / rate), same machine clock.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import threading
import time

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
RATE = 30
BITS = 20
CODE_GRAPH = (
    f"testsrc=size=640x360:rate={RATE}[bg];"
    f"nullsrc=size={BITS}x2:rate={RATE},format=gray,"
    r"geq=lum='255*mod(floor(N/pow(2\,X))+Y\,2)',scale=640:60:flags=neighbor[code];"
    "[bg][code]overlay=0:0:shortest=1,format=yuv420p[out0]"
)

PROBE_JS = """
(() => {
  const BITS = __BITS__, BAND = 60 / 360;
  const glass = (window.__glass = { shown: [], bad: 0, metrics: [] });
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  function decode(video) {
    const w = video.videoWidth, h = Math.round(video.videoHeight * BAND);
    if (!w || !h) return null;
    canvas.width = w; canvas.height = h;
    ctx.drawImage(video, 0, 0, w, h, 0, 0, w, h);
    const data = ctx.getImageData(0, 0, w, h).data;
    const lum = (x, y) => data[(Math.floor(y) * w + Math.floor(x)) * 4];
    let n = 0;
    for (let bit = 0; bit < BITS; bit++) {
      const x = ((bit + 0.5) * w) / BITS;
      const top = lum(x, h * 0.25), bottom = lum(x, h * 0.75);
      if (Math.abs(top - bottom) < 100) return null;
      if (top > bottom) n += 2 ** bit;
    }
    return n;
  }
  function follow(video) {
    let count = 0;
    const onFrame = (_now, meta) => {
      if (count++ % 4 === 0) {
        const n = decode(video);
        const shown = performance.timeOrigin + meta.expectedDisplayTime;
        if (n === null) glass.bad++; else glass.shown.push([n, shown]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    video.addEventListener('owncast:playback-metrics', (e) =>
      glass.metrics.push({ ...e.detail, at: Date.now() }));
  }
  document.addEventListener('DOMContentLoaded', () => {
    const video = document.querySelector('#player');
    if (video) follow(video);
  });
})();
""".replace("__BITS__", str(BITS))


class TimestampPusher:
    """`ffmpeg -re` pushing the numbered frames (+ a sine) over RTMP; use `stop()` when done."""

    def __init__(self, rtmp_url: str) -> None:
        argv = [
            FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin",
            "-re", "-f", "lavfi", "-i", CODE_GRAPH,
            "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-pix_fmt", "yuv420p", "-g", str(RATE), "-c:a", "aac", "-b:a", "96k",
            "-progress", "pipe:1", "-stats_period", "0.1", "-f", "flv", rtmp_url,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._origins: list[float] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        out_us = None
        for raw in self.process.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit():
                out_us = int(value)
            elif key == "progress" and out_us is not None and out_us > 0:
                self._origins.append(time.time() - out_us / 1e6)

    def origin(self) -> float:
        """Wall time (epoch s) at which frame 0 left the encoder."""
        if not self._origins:
            raise RuntimeError("the pusher reported no progress")
        return min(self._origins)

    def stop(self) -> None:
        """SIGINT (ffmpeg flushes), then kill if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(2)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def glass_seconds(shown: list[list[float]], origin: float) -> list[float]:
    """Glass-to-glass of each `[frame number, shown epoch ms]` sample."""
    return [ms / 1000 - (origin + n / RATE) for n, ms in shown]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (NaN when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]

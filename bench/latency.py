"""Live latency per level: a frame leaving the encoder → its HLS segment listed; glass to glass.

For each latency level (0–4: 1–5 s segments) a real owncastd is started on free ports with
one variant: Owncast's default transcode (source size, 1200 kbps, 24 fps) at CPU usage level 0
(x264 ultrafast), so the encode itself adds as little as it can and the figure is mostly the
pipeline: RTMP → daemon → ffmpeg stdin → HLS muxer → playlist on disk → HTTP. A live
`ffmpeg -re` pushes testsrc 640x360@30 (x264 ultrafast, `-tune zerolatency`, `-g 30`, AAC)
and we poll `/hls/0/stream.m3u8` over HTTP every 50 ms, recording when each segment (by
media sequence number) is first listed.

Method. Segment n ends at the pusher's timestamp D(n) = the sum of the EXTINF durations of
segments 0..n (the transcoder's output timeline starts at the first frame it was fed, which is
the pusher's first frame). The HLS muxer can close segment n only when the frame at D(n), the
next segment's keyframe, arrives, so D(n) is when segment n is complete at the encoder (its
last frame left one frame earlier). The wall time at which the pusher's timestamp 0 left its
encoder, `origin`, comes from the pusher's own `-progress` reports (every 0.1 s):
origin = min(report time − out_time). `-re` never lets a frame out before origin + pts, and a
report follows the write it describes, so the minimum over ~100 reports is tight. Then

    latency(n)         = listed(n) − (origin + D(n))     segment complete → listed
    glass_to_listed(n) = latency(n) + EXTINF(n)          its first frame → listed

reported as min/median/max over 8 segments after skipping the first 2 (start-up).

Why not the pusher's start time: `-re` paces from when ffmpeg starts reading its input, which
is after process start-up, the RTMP connect/publish and the x264 init; taking spawn time as
origin overstates every latency by that (printed as `origin_after_spawn_s`, ~0.25 s here).

Error bars: listed(n) is the midpoint between the poll that first saw the segment and the one
before (±25 ms, plus one loopback HTTP round trip, ~2 ms). origin is late by at most the
report jitter and one frame's zerolatency encode (~10 ms), and early by up to one frame
because ffmpeg's out_time is the *end* of the last packet written (pts + duration). The
FLV/AAC start offset (AAC priming, first video timestamp) and the 30→24 fps resample shift
D(n) by at most one frame (~40 ms). So each figure is good to about ±0.05 s. It is wall time
on a shared 2-core machine: a busy neighbour inflates it, so read the min and median.

Glass to glass (bench/_glass.py): then, per level, the viewer page in headless chromium plays
a push whose frames carry their number in a band of black/white boxes; the page reads it back
from a canvas for each presented frame (requestVideoFrameCallback → drawImage →
getImageData) and glass-to-glass = shown − (origin + N / 30), p50/p95 over `--glass-seconds`
of playback after 8 s of settling. Printed next to it: the page's own reports (program
date-time against the server clock, hls.js latency to the live edge, its target latency),
its stall count, and `liveLatency` of /api/admin/metrics/video. `--ll` adds one LL-HLS run
(`[video] low_latency = true`, needs the llhls branch) at the lowest level asked for.

Run: `.venv/bin/python bench/latency.py [--levels 0,1,2,3,4] [--glass-seconds 30] [--ll]
[--no-listed]` (about 2.6 minutes for the playlist figures of all levels, ~1 minute per level
for glass to glass).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from _daemon import FFMPEG, Owncastd, Progress, stop_process, write_config
from _glass import GlassResult, percentile, print_glass, run_glass

SKIP = 2
MEASURED = 8
POLL_INTERVAL = 0.05
SEGMENT_SECONDS = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}
DEFAULT_VARIANT = (
    "[[video.variants]]\nvideo_passthrough = false\naudio_passthrough = true\n"
    "video_bitrate = 1200\nframerate = 24\ncpu_usage_level = 0\n"
)


@dataclass(frozen=True)
class Listed:
    """One segment as first seen in the playlist."""

    sequence: int
    duration: float
    seen_at: float  # the poll that first listed it
    previous_poll: float  # the poll before (it was not listed yet)

    @property
    def listed_at(self) -> float:
        """Best estimate of when it was listed: between the two polls."""
        return (self.seen_at + self.previous_poll) / 2


@dataclass(frozen=True)
class LevelResult:
    """Per-segment figures for one latency level."""

    level: int
    latencies: list[float]
    glass: list[float]
    spawn_latencies: list[float]
    origin_after_spawn: float
    mean_extinf: float


def parse_playlist(text: str) -> list[tuple[int, float]]:
    """(media sequence number, EXTINF seconds) of every segment listed in a media playlist."""
    sequence = 0
    duration: float | None = None
    out: list[tuple[int, float]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            out.append((sequence, duration))
            sequence += 1
            duration = None
    return out


def push_live(url: str) -> tuple[subprocess.Popen[bytes], Progress]:
    """A live encoder: testsrc 640x360@30 + sine, x264 zerolatency, paced by `-re`."""
    argv = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30",
        "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-g", "30", "-c:a", "aac", "-b:a", "96k",
        "-progress", "pipe:1", "-stats_period", "0.1", "-f", "flv", url,
    ]  # fmt: skip
    popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    return popen, Progress(popen)


def watch_playlist(daemon: Owncastd, wanted: int, timeout: float) -> dict[int, Listed]:
    """Poll the variant playlist until segments 0..wanted-1 have all been listed."""
    seen: dict[int, Listed] = {}
    previous = time.monotonic()
    deadline = previous + timeout
    while time.monotonic() < deadline:
        polled = time.monotonic()
        try:
            response = daemon.get("/hls/0/stream.m3u8")
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code == 200:
            for sequence, duration in parse_playlist(response.text):
                if sequence not in seen:
                    seen[sequence] = Listed(sequence, duration, polled, previous)
        if all(n in seen for n in range(wanted)):
            return seen
        previous = polled
        time.sleep(max(0.0, polled + POLL_INTERVAL - time.monotonic()))
    raise RuntimeError(f"only segments {sorted(seen)} listed within {timeout:.0f}s\n{daemon.log()}")


def run_level(level: int) -> LevelResult:
    """One daemon at `level`, one live push, the per-segment figures."""
    wanted = SKIP + MEASURED
    with tempfile.TemporaryDirectory(prefix="owncastd-bench-") as tmp:
        data_dir = Path(tmp)
        write_config(data_dir, latency=level, variants=DEFAULT_VARIANT)
        with Owncastd(data_dir) as daemon:
            spawned = time.monotonic()
            push, progress = push_live(daemon.rtmp_url)
            try:
                timeout = 20 + (wanted + 2) * SEGMENT_SECONDS[level]
                seen = watch_playlist(daemon, wanted, timeout)
            finally:
                stop_process(push)
    if not progress.reports:
        raise RuntimeError("the pusher reported no progress")
    origin = min(at - out_us / 1e6 for at, out_us, _ in progress.reports)
    latencies, glass, naive = [], [], []
    end = 0.0
    for n in range(wanted):
        segment = seen[n]
        end += segment.duration
        if n < SKIP:
            continue
        latency = segment.listed_at - (origin + end)
        latencies.append(latency)
        glass.append(latency + segment.duration)
        naive.append(segment.listed_at - (spawned + end))
    durations = [seen[n].duration for n in range(SKIP, wanted)]
    return LevelResult(
        level=level,
        latencies=latencies,
        glass=glass,
        spawn_latencies=naive,
        origin_after_spawn=origin - spawned,
        mean_extinf=statistics.mean(durations),
    )


def spread(values: list[float]) -> tuple[float, float, float]:
    """(min, median, max)."""
    return min(values), statistics.median(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--levels", default="0,1,2,3,4", help="comma-separated latency levels (default: all)"
    )
    parser.add_argument(
        "--glass-seconds",
        type=float,
        default=30.0,
        help="seconds of chromium playback measured per level for glass to glass (0: none)",
    )
    parser.add_argument(
        "--ll", action="store_true", help="also glass to glass with LL-HLS (llhls branch)"
    )
    parser.add_argument(
        "--no-listed", action="store_true", help="skip the playlist-listing figures"
    )
    args = parser.parse_args()
    levels = [int(part) for part in args.levels.split(",") if part.strip()]
    if not levels or any(level not in SEGMENT_SECONDS for level in levels):
        parser.error("levels must be among 0,1,2,3,4")
    if args.ll and not low_latency_supported():
        parser.error("--ll needs [video] low_latency (the llhls branch); this tree has none")
    if not args.no_listed:
        listed_levels(levels)
    if args.glass_seconds > 0:
        glass_levels(levels, args.glass_seconds, args.ll)


def low_latency_supported() -> bool:
    """Whether this tree's settings table has `video.low_latency` (the LL-HLS mode)."""
    from owncastd.config.table import BY_PATH

    return "video.low_latency" in BY_PATH


def glass_levels(levels: list[int], seconds: float, ll: bool) -> None:
    """Glass to glass in chromium per level (and LL-HLS), then a summary."""
    runs: list[tuple[str, GlassResult]] = []
    plan = [(f"level {level}", level, False) for level in levels]
    if ll:
        plan.append((f"LL-HLS (level {min(levels)})", min(levels), True))
    for name, level, low_latency in plan:
        result = run_glass(level, seconds, low_latency=low_latency, variants=DEFAULT_VARIANT)
        runs.append((name, result))
        prefix = f"ll_level{level}_" if low_latency else f"level{level}_"
        print_glass(prefix, result)
        print(flush=True)
    print("# glass to glass in chromium p50 / p95; the page's own figures p50 (program date-time,")
    print("# live edge); stalls:")
    for name, result in runs:
        g50, g95 = percentile(result.glass, 50), percentile(result.glass, 95)
        pdt, edge = percentile(result.page_latency, 50), percentile(result.live_edge, 50)
        print(
            f"#   {name}: {g50:.2f} / {g95:.2f} s; page {pdt:.2f} s, {edge:.2f} s; "
            f"{result.stalls} stalls"
        )


def listed_levels(levels: list[int]) -> None:
    """The playlist-listing figures per level, then a summary."""
    results = []
    for level in levels:
        result = run_level(level)
        results.append(result)
        p = f"level{level}_"
        lo, med, hi = spread(result.latencies)
        glo, gmed, ghi = spread(result.glass)
        print(f"{p}segment_s={result.mean_extinf:.3f}")
        print(f"{p}latency_min_s={lo:.3f}")
        print(f"{p}latency_median_s={med:.3f}")
        print(f"{p}latency_max_s={hi:.3f}")
        print(f"{p}glass_to_listed_min_s={glo:.3f}")
        print(f"{p}glass_to_listed_median_s={gmed:.3f}")
        print(f"{p}glass_to_listed_max_s={ghi:.3f}")
        print(f"{p}origin_after_spawn_s={result.origin_after_spawn:.3f}")
        print(f"{p}latency_from_spawn_median_s={statistics.median(result.spawn_latencies):.3f}")
        print(flush=True)

    print("# segment complete at the encoder → listed, its first frame → listed (medians):")
    for result in results:
        print(
            f"#   level {result.level} ({result.mean_extinf:.0f} s segments): "
            f"{statistics.median(result.latencies):.2f} s, "
            f"{statistics.median(result.glass):.2f} s"
        )


if __name__ == "__main__":
    main()

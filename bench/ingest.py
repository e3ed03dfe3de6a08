"""Daemon CPU per Mbit/s of RTMP ingest, next to a plain `ffmpeg -c copy` remux.

What it measures (all CPU-seconds from psutil, user + system, so a busy machine skews less
than wall time would):

* a pre-encoded FLV (1280x720, 30 fps, H.264 ultrafast ~6 Mbit/s with temporal noise so it
  really reaches that rate, AAC 128k; made once and cached in bench/out/) is pushed with
  `ffmpeg -re -i FILE -c copy -f flv rtmp://…` into a real owncastd (one passthrough variant,
  audio passthrough, latency level 0 so it goes online sooner, free ports, temp data dir);
* the daemon's **own Python process** CPU (RTMP parse, FLV tags, the pipe into ffmpeg, plus
  its idle housekeeping: HTTP server, timers, thumbnail scheduling; its ffmpeg children are
  not included) over a steady window: from 5 s after the stream went online to the last
  sample before the pusher exits. The daemon's idle CPU (5 s before the push) is reported
  too, so the ingest-attributable share can be read off;
* the Mbit ingested in that window: the FLV bytes the pusher had sent (its `-progress`
  total_size, reported every 0.1 s), so the rate is what really went over the socket in
  that window, not the file's average bitrate;
* the daemon's transcode ffmpeg child (passthrough → HLS) over the same window, for context;
* baseline: the same file pushed into `ffmpeg -listen 1 -i rtmp://… -c copy -f mpegts
  /dev/null` — the listener's CPU over a window at the same offset from the push start.

Prints `name=value` lines, then a short summary. The goal from the issue: the daemon's Python
side below 1% of one core for a 6 Mbit/s stream (issue 17; 2% before).

Run: `.venv/bin/python bench/ingest.py [--duration 30] [--runs 1] [--remake]`
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from _daemon import (
    FFMPEG,
    FFPROBE,
    OUT,
    Owncastd,
    Progress,
    cpu_seconds,
    free_port,
    stop_process,
    wait_listening,
    write_config,
)

SETTLE_AFTER_ONLINE = 5.0
IDLE_SECONDS = 5.0
SAMPLE_INTERVAL = 0.2
GOAL_PCT_AT_6MBPS = 1.0  # issue 17 (it was 2.0 before)
PASSTHROUGH = (
    "[[video.variants]]\nvideo_passthrough = true\naudio_passthrough = true\nvideo_bitrate = 6000\n"
)


@dataclass
class Sample:
    """Counters read at one instant."""

    at: float
    pushed_bytes: int
    cpu: dict[str, float]


@dataclass
class Window:
    """Deltas between two samples."""

    seconds: float
    mbit: float
    cpu: dict[str, float]

    def pct(self, name: str) -> float:
        """CPU of `name` as % of one core."""
        return 100 * self.cpu[name] / self.seconds

    def per_mbit(self, name: str) -> float:
        """CPU-seconds of `name` per Mbit ingested."""
        return self.cpu[name] / self.mbit


def make_input(duration: int, remake: bool) -> Path:
    """The cached ~6 Mbit/s 720p30 H.264 + AAC FLV (made once)."""
    path = OUT / f"ingest_720p30_6mbit_{duration}s.flv"
    if path.exists() and not remake:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"# encoding {path.name} (once)…", flush=True)
    tmp = path.with_suffix(".tmp.flv")
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", str(duration), "-vf", "noise=alls=20:allf=t",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-b:v", "6M", "-maxrate", "6M", "-bufsize", "12M", "-g", "60",
         "-c:a", "aac", "-b:a", "128k", "-f", "flv", str(tmp)],
        check=True,
    )  # fmt: skip
    tmp.replace(path)
    return path


def file_bitrate(path: Path) -> tuple[float, float]:
    """(duration in s, Mbit/s) of a media file, from ffprobe's duration and the file size."""
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    duration = float(json.loads(out)["format"]["duration"])
    return duration, path.stat().st_size * 8 / duration / 1e6


def pusher(path: Path, url: str) -> tuple[subprocess.Popen[bytes], Progress]:
    """`ffmpeg -re -i FILE -c copy -f flv URL`, with its progress (bytes sent) followed."""
    argv = [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-i", str(path), "-c", "copy", "-progress", "pipe:1", "-stats_period", "0.1",
            "-f", "flv", url]  # fmt: skip
    popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    return popen, Progress(popen)


def sample(progress: Progress, procs: dict[str, psutil.Process]) -> Sample:
    """Read the pusher's bytes sent so far and every watched process's CPU."""
    return Sample(
        at=time.monotonic(),
        pushed_bytes=progress.total_size,
        cpu={name: cpu_seconds(proc) for name, proc in procs.items()},
    )


def measure_until_exit(
    push: subprocess.Popen[bytes], progress: Progress, procs: dict[str, psutil.Process]
) -> Window:
    """From now to the last sample taken while the pusher was still running."""
    first = last = sample(progress, procs)
    while push.poll() is None:
        time.sleep(SAMPLE_INTERVAL)
        if push.poll() is not None:
            break
        try:
            last = sample(progress, procs)
        except psutil.Error:
            break
    if last.at - first.at < 5:
        raise RuntimeError("measuring window shorter than 5 s; use a longer --duration")
    return Window(
        seconds=last.at - first.at,
        mbit=(last.pushed_bytes - first.pushed_bytes) * 8 / 1e6,
        cpu={name: last.cpu[name] - first.cpu[name] for name in procs},
    )


def run_daemon(path: Path) -> tuple[Window, float, float]:
    """Push into owncastd. Returns (window, idle daemon CPU %, window offset from push start)."""
    with tempfile.TemporaryDirectory(prefix="owncastd-bench-") as tmp:
        data_dir = Path(tmp)
        write_config(data_dir, latency=0, variants=PASSTHROUGH)
        with Owncastd(data_dir) as daemon:
            idle_start = daemon.own_cpu()
            time.sleep(IDLE_SECONDS)
            idle_pct = 100 * (daemon.own_cpu() - idle_start) / IDLE_SECONDS
            push, progress = pusher(path, daemon.rtmp_url)
            started = time.monotonic()
            try:
                daemon.wait_online()
                time.sleep(SETTLE_AFTER_ONLINE)
                transcoder = daemon.transcoder()
                if transcoder is None:
                    raise RuntimeError(f"no transcoder child found\n{daemon.log()}")
                offset = time.monotonic() - started
                procs = {"daemon": daemon.process, "transcoder": transcoder}
                window = measure_until_exit(push, progress, procs)
            finally:
                stop_process(push)
    return window, idle_pct, offset


def run_baseline(path: Path, offset: float) -> Window:
    """Push into a plain `ffmpeg -listen 1 … -c copy -f mpegts /dev/null`."""
    port = free_port()
    listener = subprocess.Popen(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-listen", "1",
         "-i", f"rtmp://127.0.0.1:{port}/live/x", "-c", "copy", "-f", "mpegts", "-y",
         "/dev/null"],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        listener_proc = psutil.Process(listener.pid)
        wait_listening(listener_proc, port)
        push, progress = pusher(path, f"rtmp://127.0.0.1:{port}/live/x")
        try:
            time.sleep(offset)
            return measure_until_exit(push, progress, {"listener": listener_proc})
        finally:
            stop_process(push)
    finally:
        stop_process(listener)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="input length in seconds")
    parser.add_argument("--runs", type=int, default=1, help="daemon+baseline pairs to run")
    parser.add_argument("--remake", action="store_true", help="re-encode the cached input")
    args = parser.parse_args()

    path = make_input(args.duration, args.remake)
    duration, mbps = file_bitrate(path)
    print(f"input_file={path.relative_to(OUT.parent.parent)}")
    print(f"input_duration_s={duration:.1f}")
    print(f"input_mbps={mbps:.2f}")

    ratios: list[float] = []
    at6: list[float] = []
    for run in range(1, args.runs + 1):
        window, idle_pct, offset = run_daemon(path)
        base = run_baseline(path, offset)
        p = f"run{run}_"
        ingest_mbps = window.mbit / window.seconds
        pct_at_6 = window.per_mbit("daemon") * 6 * 100
        ratio = window.per_mbit("daemon") / base.per_mbit("listener")
        at6.append(pct_at_6)
        ratios.append(ratio)
        print(f"{p}window_s={window.seconds:.1f}")
        print(f"{p}window_offset_s={offset:.1f}")
        print(f"{p}ingest_mbps={ingest_mbps:.2f}")
        print(f"{p}daemon_idle_cpu_pct={idle_pct:.3f}")
        print(f"{p}daemon_cpu_pct={window.pct('daemon'):.2f}")
        print(f"{p}daemon_cpu_s_per_mbit={window.per_mbit('daemon'):.5f}")
        print(f"{p}daemon_pct_core_at_6mbps={pct_at_6:.2f}")
        print(f"{p}transcoder_cpu_pct={window.pct('transcoder'):.2f}")
        print(f"{p}transcoder_cpu_s_per_mbit={window.per_mbit('transcoder'):.5f}")
        print(f"{p}baseline_window_s={base.seconds:.1f}")
        print(f"{p}baseline_ingest_mbps={base.mbit / base.seconds:.2f}")
        print(f"{p}baseline_ffmpeg_cpu_pct={base.pct('listener'):.2f}")
        print(f"{p}baseline_ffmpeg_cpu_s_per_mbit={base.per_mbit('listener'):.5f}")
        print(f"{p}daemon_to_baseline_ratio={ratio:.2f}")

    best = min(at6)
    print(f"daemon_pct_core_at_6mbps_median={statistics.median(at6):.2f}")
    print(f"daemon_to_baseline_ratio_median={statistics.median(ratios):.2f}")
    print(f"goal_pct_core_at_6mbps={GOAL_PCT_AT_6MBPS}")
    print(
        f"\n# owncastd's Python process used {statistics.median(at6):.2f}% of one core per "
        f"6 Mbit/s of ingest (best {best:.2f}%; goal < {GOAL_PCT_AT_6MBPS}%), "
        f"{statistics.median(ratios):.2f}x the CPU of a plain `ffmpeg -c copy` RTMP→mpegts "
        f"remux of the same stream. Includes the daemon's idle housekeeping "
        f"(see daemon_idle_cpu_pct)."
    )


if __name__ == "__main__":
    main()

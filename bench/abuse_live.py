"""Abuse while live: what a viewer sees while outsiders attack a live owncastd (issue 16).

Runs the attacks of tests/attack_clients.py (slowloris heads and bodies, RTMP holders, AMF0
bombs, a websocket flood; from 127.0.0.2… and 127.0.1.x, loopback only) against a running
daemon for `--duration` seconds, and from 127.0.0.1 asks `/api/ping` every 0.25 s over a fresh
connection, `/api/status` every second and the first variant's playlist every 0.5 s, before,
during and after the attack. Prints:

    phase=before|during|after pings=… ping_failed=… ping_p50_ms=… ping_p95_ms=… ping_max_ms=…
        status_polls=… status_failed=… status_offline=… longest_without_new_segment_s=…
    attack=… opened=… connect_failed=… closed_fast=… closed_later=… stalled=… held_to_end=…
        longest_hold=… max_open=… messages=…

`closed_fast` = the server closed (or answered) within 1 s of the connection opening, i.e.
refused; `stalled` = a step (RTMP handshake, websocket upgrade) got no answer within 5 s;
`held_to_end` = still open when the attack ended. Run against a daemon that is live:

    .venv/bin/python bench/abuse_live.py --http http://127.0.0.1:8080 \
        --rtmp rtmp://127.0.0.1:1935 [--duration 20] [--attacks amf_bombs,slowloris]

or let it start one (free ports, a throwaway data dir, ffmpeg testsrc publisher): `--start`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from _daemon import FFMPEG, Owncastd, stop_process, write_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.abuse_probe import Prober, Samples, attack_tallies, start_attacks
from tests.attack_clients import Plan, host_port

MEDIA_SEQUENCE = re.compile(r"#EXT-X-MEDIA-SEQUENCE:(\d+)")
STREAM_EVENT = re.compile(r"stream (started|stopped)|transcoder|ERROR|CRITICAL|Traceback")
SEGMENT = re.compile(r"^[^#\s].*$", re.MULTILINE)


class PlaylistWatch:
    """Polls `/hls/0/stream.m3u8`; the longest time no new segment appeared, per phase."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.longest = 0.0
        self._last_change = self._phase_start = time.monotonic()
        self._last: tuple[int, str] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PlaylistWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def restart(self) -> float:
        """The longest gap so far (seconds) and start a new phase."""
        now = time.monotonic()
        longest = max(self.longest, now - max(self._last_change, self._phase_start))
        self.longest, self._phase_start = 0.0, now
        return longest

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                text = httpx.get(self.base_url + "/hls/0/stream.m3u8", timeout=5).text
            except httpx.HTTPError:
                continue
            sequence = MEDIA_SEQUENCE.search(text)
            segments = SEGMENT.findall(text)
            current = (int(sequence[1]) if sequence else -1, segments[-1] if segments else "")
            now = time.monotonic()
            if current != self._last:
                self.longest = max(self.longest, now - max(self._last_change, self._phase_start))
                self._last, self._last_change = current, now


def print_phase(name: str, samples: Samples, gap: float) -> None:
    figures = " ".join(f"{key}={value}" for key, value in samples.figures().items())
    print(f"phase={name} {figures} longest_without_new_segment_s={gap:.1f}", flush=True)
    for failure in samples.failures[:3] + samples.status_failed[:3] + samples.offline[:3]:
        print(f"  phase={name} problem={failure}")


def measure(http: str, rtmp: str, args: argparse.Namespace) -> None:
    """Print before / during / after figures, the attacks' tallies and the verdict lines."""
    with Prober(http) as prober, PlaylistWatch(http) as playlist:
        time.sleep(args.baseline)
        before, before_gap = prober.restart(), playlist.restart()
        attackers = start_attacks(http, rtmp, args.duration, args.scale, args.attacks)
        tallies = attack_tallies(attackers, timeout=args.duration + 30)
        during, during_gap = prober.restart(), playlist.restart()
        time.sleep(args.baseline)
        after, after_gap = prober.restart(), playlist.restart()
    for name, samples, gap in (
        ("before", before, before_gap),
        ("during", during, during_gap),
        ("after", after, after_gap),
    ):
        print_phase(name, samples, gap)
    for tally in tallies.values():
        errors = tally.pop("errors")
        print(" ".join(f"{key}={value}" for key, value in tally.items()))
        for error in errors[:2]:
            print(f"  attack={tally['attack']} error={error}")
    phases = (before, during, after)
    print(f"stream_stayed_online={not any(p.offline for p in phases)}")
    print(f"status_always_answered={not any(p.status_failed for p in phases)}")
    print(f"ping_never_failed={not any(p.failures for p in phases)}")


def print_daemon_events(daemon: Owncastd) -> None:
    """The daemon's stream, transcoder and error lines (what the attack did to it)."""
    for line in daemon.lines:
        if STREAM_EVENT.search(line):
            print(f"  daemon: {line}")


def publish(daemon: Owncastd) -> subprocess.Popen[bytes]:
    """ffmpeg testsrc 640x360@30 + sine, x264 zerolatency, paced by `-re`."""
    argv = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30",
        "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-g", "30", "-c:a", "aac", "-b:a", "96k",
        "-f", "flv", daemon.rtmp_url,
    ]  # fmt: skip
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--http", help="the daemon's web URL (loopback), e.g. http://127.0.0.1:8080"
    )
    parser.add_argument("--rtmp", help="its RTMP URL (loopback), e.g. rtmp://127.0.0.1:1935")
    parser.add_argument("--start", action="store_true", help="start a live daemon of our own")
    parser.add_argument("--duration", type=float, default=20.0, help="attack seconds")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds before and after")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply connection counts")
    parser.add_argument("--attacks", help="comma-separated subset of the attacks")
    args = parser.parse_args()
    if args.start == bool(args.http and args.rtmp):
        parser.error("give --http and --rtmp of a running daemon, or --start")
    if not args.start:
        try:
            Plan(host_port(args.http), host_port(args.rtmp))  # loopback only
        except ValueError as exc:
            parser.error(str(exc))
        host, port = host_port(args.http)
        measure(f"http://{host}:{port}", args.rtmp, args)
    else:
        with tempfile.TemporaryDirectory(prefix="owncastd-bench-") as tmp:
            write_config(Path(tmp), latency=0, variants="")
            with Owncastd(Path(tmp)) as daemon:
                pusher = publish(daemon)
                try:
                    daemon.wait_online()
                    measure(daemon.url, f"127.0.0.1:{daemon.rtmp_port}", args)
                    print(f"daemon_alive={daemon.popen.poll() is None}")
                    print_daemon_events(daemon)
                finally:
                    stop_process(pusher)


if __name__ == "__main__":
    main()

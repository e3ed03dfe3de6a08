"""What a legitimate client sees while outsiders attack (for the "abuse while live" check).

:class:`Prober` asks `/api/ping` every `interval` seconds (each ask in a worker thread, over a
fresh connection from 127.0.0.1; the attackers use other 127.x addresses, see
tests/attack_clients.py) and `/api/status` every second, recording latencies, failures and
whether the stream was online. :func:`start_attacks` runs the attackers in their own process
(``python -m tests.attack_clients``) so their CPU does not distort the probe's timing and
:func:`attack_tallies` reads the JSON line they print when they end by themselves.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PING_TIMEOUT = 5.0
PING_WORKERS = 8


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile of `values` (nearest rank; 0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Samples:
    """Ping latencies (seconds), failed pings, status polls that failed or said offline."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    status_polls: int = 0
    status_failed: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        lat = self.latencies
        return {
            "pings": len(lat) + len(self.failures),
            "ping_failed": len(self.failures),
            "ping_p50_ms": round(statistics.median(lat) * 1000, 1) if lat else 0.0,
            "ping_p95_ms": round(percentile(lat, 0.95) * 1000, 1),
            "ping_max_ms": round(max(lat, default=0.0) * 1000, 1),
            "status_polls": self.status_polls,
            "status_failed": len(self.status_failed),
            "status_offline": len(self.offline),
        }


class Prober:
    """Pings and status polls from background threads, into `samples` until stopped."""

    def __init__(self, base_url: str, *, interval: float = 0.25) -> None:
        self.base_url = base_url
        self.interval = interval
        self.samples = Samples()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(PING_TIMEOUT * 3)

    def restart(self) -> Samples:
        """Hand over the samples so far and start a new set."""
        done, self.samples = self.samples, Samples()
        return done

    def _run(self) -> None:
        # Pings are asked for on a fixed cadence and run in workers, so one slow answer does
        # not thin out the samples; at most PING_WORKERS connections at once (per-IP limits),
        # and a ping's latency counts from when it was asked for, queueing included.
        next_status = 0.0
        with ThreadPoolExecutor(PING_WORKERS) as pool:
            while not self._stop.is_set():
                pool.submit(self._ping, self.samples, time.monotonic())
                if time.monotonic() >= next_status:
                    next_status = time.monotonic() + 1.0
                    pool.submit(self._status, self.samples)
                self._stop.wait(self.interval)

    def _ping(self, samples: Samples, asked: float) -> None:
        if time.monotonic() - asked > PING_TIMEOUT:
            samples.failures.append(f"{time.strftime('%X')} not started within {PING_TIMEOUT} s")
            return
        try:
            # A fresh connection each time: an accept queue or connection cap full of
            # attackers must show here, which a reused keep-alive connection would hide.
            reply = httpx.get(self.base_url + "/api/ping", timeout=PING_TIMEOUT)
            if reply.status_code != 200:
                raise httpx.HTTPError(f"status {reply.status_code}")
        except httpx.HTTPError as exc:
            samples.failures.append(f"{time.strftime('%X')} {exc!r}"[:200])
            return
        samples.latencies.append(time.monotonic() - asked)

    def _status(self, samples: Samples) -> None:
        samples.status_polls += 1
        try:
            online = httpx.get(self.base_url + "/api/status", timeout=PING_TIMEOUT).json()["online"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            samples.status_failed.append(f"{time.strftime('%X')} {exc!r}"[:200])
            return
        if online is not True:
            samples.offline.append(f"{time.strftime('%X')} online={online}")


def start_attacks(
    http: str, rtmp: str, duration: float, scale: float = 1.0, attacks: str | None = None
) -> subprocess.Popen[str]:
    """Start the attacks of tests/attack_clients.py (all, or the comma-separated `attacks`)
    in a subprocess; it ends by itself after `duration` seconds."""
    argv = [sys.executable, "-m", "tests.attack_clients", "--http", http, "--rtmp", rtmp,
            "--duration", str(duration), "--scale", str(scale)]  # fmt: skip
    if attacks:
        argv += ["--attacks", attacks]
    return subprocess.Popen(
        argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def attack_tallies(attackers: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """Wait for the attackers to end; their tallies by attack name (raises if they failed)."""
    try:
        out, err = attackers.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        attackers.kill()
        out, err = attackers.communicate()
        raise AssertionError(f"the attackers did not stop by themselves\n{err}") from None
    if attackers.returncode != 0 or not out.strip():
        raise AssertionError(f"the attackers failed (exit {attackers.returncode})\n{err}")
    tallies: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return tallies

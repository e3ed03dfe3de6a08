"""Viewer delivery: wrk against owncastd and against nginx serving the same HLS files, same run.

For each round, server, request and connection count, `wrk -t2 -cN -dD --latency` runs and
the server's own CPU (utime + stime from /proc/<pid>/stat, summed over nginx's master and
workers) is read before and after: printed as req/s, requests per CPU-second, p99 latency and
errors (socket errors + non-2xx answers), the machine's softirq CPU per request
(/proc/stat: loopback TCP work the kernel may do there, outside either server's CPU; other
jobs' network traffic counts too), wrk's own CPU per request (on loopback the kernel charges
part of the sender's TCP work to the reader: see bench/README.md) and their sum with the
server's, the machine's whole cost of a request. Requests: the master playlist, a variant
playlist, a ~1 MB segment and `/api/status` (nginx: a static JSON file of the same size). A
summary table of the medians over the rounds follows.

owncastd runs from this repo's venv on a fresh data directory; the HLS files are written into
its `hls/` directory after it is ready (no stream is live, so playlist requests do not count
viewers; status is the offline one). `--servers` can add `hypercorn`: owncastd with
`[web] fast_path = false`, i.e. every request through quart-trio on hypercorn.

    .venv/bin/python bench/hls_delivery.py [--rounds 3] [--duration 5] [--servers owncastd,nginx]

`--mode ll-blocking [--clients 500] [--duration 20]`: N LL-HLS clients parked in blocking
playlist reloads on one variant of a live stream (bench/llhls_blocking.py); `--mode ll-cost`:
ffmpeg's and the daemon's CPU for one push with LL-HLS off and on (twice each, alternating).

Needs Debian's `wrk` and `nginx` (`apt-get install -y wrk nginx`); installs nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import llhls_blocking
import psutil
from _daemon import Owncastd, free_port, stop_process, wait_listening, write_config

TARGETS = {
    "master": "/hls/stream.m3u8",
    "variant": "/hls/0/stream.m3u8",
    "segment": "/hls/0/stream-bench-7.ts",
    "status": "/api/status",
}
SEGMENT_BYTES = 1024 * 1024
CONNECTIONS = (50, 400)
TICKS = os.sysconf("SC_CLK_TCK")
NGINX_CONF = """daemon off;
{user}worker_processes 2;
pid {root}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    types {{ application/x-mpegURL m3u8; video/mp2t ts; application/json json; }}
    server {{
        listen 127.0.0.1:{port} reuseport backlog=4096;
        location /hls/ {{
            alias {hls}/;
            add_header Access-Control-Allow-Origin *;
        }}
        location = /api/status {{
            default_type application/json;
            add_header Cache-Control "no-cache, no-store, must-revalidate";
            alias {root}/status.json;
        }}
    }}
}}
"""


@dataclass
class Result:
    """One wrk run against one server."""

    rps: float
    per_cpu: float
    p99_ms: float
    errors: int
    softirq_us: float = 0.0  # the machine's softirq CPU per request (not in the server's)
    client_us: float = 0.0  # wrk's own CPU per request

    @property
    def total_us(self) -> float:
        """Server + softirq + wrk CPU per request: the whole machine's cost of one request,
        whichever of them the kernel charged the loopback TCP work to."""
        return (1e6 / self.per_cpu if self.per_cpu else 0.0) + self.softirq_us + self.client_us


def write_hls(hls: Path) -> None:
    """A master playlist, a variant listing 8 segments and the ~1 MB segments themselves."""
    (hls / "0").mkdir(parents=True, exist_ok=True)
    (hls / "stream.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=4400000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"\n'
        "0/stream.m3u8\n"
    )
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for n in range(8):
        lines += [f"#EXT-X-PROGRAM-DATE-TIME:2026-12-04T01:00:{n * 2:02d}.000Z", "#EXTINF:2.000,"]
        lines.append(f"stream-bench-{n}.ts")
        (hls / "0" / f"stream-bench-{n}.ts").write_bytes(os.urandom(SEGMENT_BYTES))
    (hls / "0" / "stream.m3u8").write_text("\n".join(lines) + "\n")


def cpu_of(pids: list[int]) -> float:
    """utime + stime of processes, in seconds."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def softirq_seconds() -> float:
    """The machine's softirq CPU time so far (all CPUs), from /proc/stat."""
    with open("/proc/stat") as stat:
        return int(stat.readline().split()[7]) / TICKS


def children_cpu() -> float:
    """user + system CPU of this script's finished children (the wrk runs), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(url: str, connections: int, duration: int) -> tuple[float, float, int]:
    """req/s, p99 in ms and errors of one wrk run."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99[1]) * scale[p99[2]] if p99 else float("nan")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99_ms, errors + (int(non2xx[1]) if non2xx else 0)


def measure(base: str, pids: list[int], path: str, connections: int, duration: int) -> Result:
    """One wrk run with the server's CPU read around it."""
    before, softirq, client = cpu_of(pids), softirq_seconds(), children_cpu()
    rps, p99_ms, errors = wrk(base + path, connections, duration)
    cpu = cpu_of(pids) - before
    per_req = 1e6 / (rps * duration) if rps else float("nan")
    softirq_us = (softirq_seconds() - softirq) * per_req
    client_us = (children_cpu() - client) * per_req
    per_cpu = rps * duration / cpu if cpu else float("inf")
    return Result(rps, per_cpu, p99_ms, errors, softirq_us, client_us)


class Nginx:
    """An unprivileged nginx on a free port serving `hls` and a status JSON file."""

    def __init__(self, root: Path, hls: Path, status_json: bytes) -> None:
        self.port = free_port()
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        (root / "status.json").write_bytes(status_json)
        conf = root / "nginx.conf"
        # as root, nginx's workers would drop to `nobody`, who cannot read the 0700 data dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, root=root, port=self.port, hls=hls))
        self.popen = subprocess.Popen(
            ["nginx", "-p", str(root), "-c", str(conf), "-e", "stderr"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.process = psutil.Process(self.popen.pid)
        wait_listening(self.process, self.port)

    def pids(self) -> list[int]:
        """Master and workers."""
        return [self.popen.pid, *(child.pid for child in self.process.children())]

    def stop(self) -> None:
        """Stop it."""
        stop_process(self.popen)


def start_owncastd(root: Path, fast: bool) -> Owncastd:
    """A ready owncastd on a fresh data directory with the HLS files written."""
    data = root / ("owncastd" if fast else "hypercorn")
    config = write_config(data, latency=2, variants="")
    if not fast:
        text = config.read_text().replace('[web]\nip = "127.0.0.1"\n', "")
        config.write_text(text + '\n[web]\nip = "127.0.0.1"\nfast_path = false\n')
    daemon = Owncastd(data).wait_ready()
    write_hls(data / "hls")
    return daemon


def print_summary(results: dict[tuple[str, str, int], list[Result]]) -> None:
    """Medians over the rounds, one markdown table row per server, request and count."""
    print(
        "\n| request | conns | server | req/s | req per CPU-s | p99 ms | errors "
        "| µs per req: server + softirq + wrk |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (server, target, conns), runs in sorted(results.items(), key=lambda i: i[0][1:]):
        rps = statistics.median(r.rps for r in runs)
        per_cpu = statistics.median(r.per_cpu for r in runs)
        p99 = statistics.median(r.p99_ms for r in runs)
        errors = sum(r.errors for r in runs)
        total = statistics.median(r.total_us for r in runs)
        print(
            f"| {target} | {conns} | {server} | {rps:,.0f} | {per_cpu:,.0f} | {p99:.1f} "
            f"| {errors} | {total:,.0f} |"
        )


def run(args: argparse.Namespace, root: Path) -> None:
    """Start the servers, then the rounds."""
    servers: dict[str, tuple[str, list[int]]] = {}
    stops = []
    try:
        for name in args.servers:
            if name in ("owncastd", "hypercorn"):
                daemon = start_owncastd(root, fast=name == "owncastd")
                stops.append(daemon.stop)
                servers[name] = (daemon.url, [daemon.popen.pid])
                status = daemon.get("/api/status").content
                hls = daemon.data_dir / "hls"
        if "nginx" in args.servers:
            nginx = Nginx(root / "nginx", hls, status)
            stops.append(nginx.stop)
            servers["nginx"] = (f"http://127.0.0.1:{nginx.port}", nginx.pids())
        results: dict[tuple[str, str, int], list[Result]] = {}
        for round_no in range(1, args.rounds + 1):
            for target in args.requests:
                path = TARGETS[target]
                for conns in CONNECTIONS:
                    for name, (base, pids) in servers.items():
                        result = measure(base, pids, path, conns, args.duration)
                        results.setdefault((name, target, conns), []).append(result)
                        print(
                            f"round={round_no} server={name} request={target} conns={conns} "
                            f"rps={result.rps:.0f} req_per_cpu_s={result.per_cpu:.0f} "
                            f"p99_ms={result.p99_ms:.1f} errors={result.errors} "
                            f"softirq_us_per_req={result.softirq_us:.0f} "
                            f"wrk_us_per_req={result.client_us:.0f} "
                            f"total_us_per_req={result.total_us:.0f} "
                            f"load={os.getloadavg()[0]:.1f}",
                            flush=True,
                        )
        print_summary(results)
    finally:
        for stop in reversed(stops):
            stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--servers", default="owncastd,nginx", help="owncastd,nginx,hypercorn")
    parser.add_argument("--requests", default=",".join(TARGETS), help="master,variant,…")
    parser.add_argument("--mode", default="wrk", help="wrk, ll-blocking or ll-cost")
    parser.add_argument("--clients", type=int, default=500, help="ll-blocking: parked clients")
    args = parser.parse_args()
    if args.mode == "ll-blocking":  # LL-HLS blocking reloads (issue 13): its own run
        llhls_blocking.bench(args.clients, max(args.duration, 12))
        return
    if args.mode == "ll-cost":  # what LL-HLS costs ffmpeg and the daemon without viewers
        llhls_blocking.transcoder_cost(max(args.duration, 10))
        return
    args.servers = args.servers.split(",")
    args.requests = args.requests.split(",")
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"{' and '.join(missing)} missing: apt-get install -y wrk nginx")
    if "owncastd" not in args.servers and "hypercorn" not in args.servers:
        sys.exit("--servers needs owncastd or hypercorn (nginx serves their files)")
    with tempfile.TemporaryDirectory(prefix="hls-delivery-") as tmp:
        started = time.monotonic()
        run(args, Path(tmp))
        print(f"\nelapsed_s={time.monotonic() - started:.0f}")


if __name__ == "__main__":
    main()

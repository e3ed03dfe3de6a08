"""Cluster chat (issue 18): an edge's CPU per delivery against the single node's, and the
end-to-end latency across two edges.

`--part delivery` (A/B in one run, same N and rate): (A) the single node — bench/chat.py's
daemon, N sockets, one sender; (B) one edge — a real redis-server, a stand-in origin answering
the edge's token checks and registrations, one `owncastd edge` with N sockets, and the origin's
side played by a raw RESP client publishing `*\\n<frame>` on `P:chat:out` at the same rate.
Prints each process's CPU-µs per delivery and the ratio B/A (goal ≤ 1.3).

`--part e2e`: a real origin (`[cluster] role = "origin"`) and two edges on one Redis, N sockets
split over the edges, one sender on edge 1; prints p50/p99 from the sender's write to each
receiving socket's read, over both edges (goal p99 < 150 ms at 4,000 sockets × 5 msg/s).

Run: `.venv/bin/python bench/cluster.py [--part delivery|e2e|both] [--clients 4000]
[--rate 5] [--seconds 8] [--procs 3] [--repeat 1]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.chat import (
    READY,
    collect_reports,
    percentile,
    raise_nofile,
    register,
    sender,
    start_clients,
    start_daemon,
)

ROOT = Path(__file__).resolve().parents[1]
OWNCASTD = ROOT / ".venv" / "bin" / "owncastd"
SECRET = "bench-cluster-secret"
PREFIX = "bench"
USER = {"userId": "u", "displayName": "bench", "displayColor": 1, "isModerator": False,
        "isBot": False, "authenticated": False, "disabled": False}  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    popen = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return popen, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


class StandIn(BaseHTTPRequestHandler):
    """The origin's two cluster routes, for an edge measured alone."""

    def do_GET(self) -> None:
        self._answer(json.dumps(USER).encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        token = secrets.token_urlsafe(12)
        self._answer(json.dumps({"id": "u", "accessToken": token, "displayName": "b"}).encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()


def start_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[Any, int]:
    """A subprocess whose `ready http=N` line gives its port; its log is kept."""
    popen = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert popen.stdout is not None
    lines: list[str] = []
    for line in popen.stdout:
        lines.append(line)
        ready = READY.search(line)
        if ready:
            threading.Thread(target=lambda: [None for _ in popen.stdout], daemon=True).start()
            return popen, int(ready[1])
    raise RuntimeError("process did not start:\n" + "".join(lines[-30:]))


def edge_argv(data_dir: Path, origin: str, redis_port: int, edge_id: str) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "owncast.toml").write_text(
        f'[web]\nip = "127.0.0.1"\n\n[cluster]\nsecret = "{SECRET}"\nprefix = "{PREFIX}"\n'
    )
    return [str(OWNCASTD), "edge", "--data-dir", str(data_dir), "--origin", origin,
            "--redis", f"redis://127.0.0.1:{redis_port}/0", "--webserverport", "0",
            "--edge-id", edge_id]  # fmt: skip


def publish_loop(redis_port: int, rate: float, seconds: float) -> int:
    """Play the origin: PUBLISH CHAT frames (body `b <seq> <t_ns>`) at `rate` per second."""
    sock = socket.create_connection(("127.0.0.1", redis_port))
    channel = f"{PREFIX}:chat:out".encode()
    start, seq = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        delay = start + seq / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        event = {
            "type": "CHAT",
            "id": f"m{seq}",
            "timestamp": "2026-01-01T00:00:00Z",
            "user": {"id": "u", "displayName": "bench"},
            "body": f"<p>b {seq} {time.time_ns()}</p>",
            "visible": True,
        }
        frame = json.dumps(event, separators=(",", ":"))
        data = b"*\n" + frame.encode()
        parts = [b"PUBLISH", channel, data]
        command = b"*3\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
        sock.sendall(command)
        sock.recv(64)
        seq += 1
    sock.close()
    return seq


def measure(pipes: list[Any], procs: list[psutil.Process], send: Any) -> dict[str, Any]:
    """Run `send()` (returns messages sent) and collect deliveries, latencies and CPU."""
    time.sleep(1.0)  # every socket joined (an edge checks its token with the origin first)
    for pipe in pipes:
        pipe.send("report")
        pipe.recv()
    cpu0 = [sum(p.cpu_times()[:2]) for p in procs]
    t0 = time.monotonic()
    sent = send()
    time.sleep(1.0)
    wall = time.monotonic() - t0
    cpu = [sum(p.cpu_times()[:2]) - c for p, c in zip(procs, cpu0, strict=True)]
    delivered, latencies, _ = collect_reports(pipes)
    return {"sent": sent, "delivered": delivered, "latencies": latencies, "cpu": cpu,
            "wall": wall}  # fmt: skip


def stop(*popens: Any) -> None:
    for popen in popens:
        if popen.poll() is None:
            popen.terminate()
    for popen in popens:
        try:
            popen.wait(20)
        except subprocess.TimeoutExpired:
            popen.kill()


def report(label: str, n: int, result: dict[str, Any]) -> float:
    expected = result["sent"] * n
    us = 1e6 * result["cpu"][0] / max(1, result["delivered"])
    lat = result["latencies"]
    print(
        f"{label}: n={n} sent={result['sent']} delivered={result['delivered']} "
        f"lost={expected - result['delivered']} cpu_s={result['cpu'][0]:.2f} "
        f"us_per_delivery={us:.2f} p50_ms={percentile(lat, 0.5):.1f} "
        f"p99_ms={percentile(lat, 0.99):.1f}",
        flush=True,
    )
    return us


def single_node(tmp: Path, n: int, rate: float, seconds: float, procs: int) -> float:
    popen, port = start_daemon(tmp / "single")
    try:
        rss = psutil.Process(popen.pid).memory_info().rss
        pipes, children = start_clients(port, n, procs)
        _rss_per_socket("single-node", popen.pid, rss, n)
        (token,) = register(port, 1)
        result = measure(
            pipes, [psutil.Process(popen.pid)],
            lambda: sender(port, token, rate, seconds, threading.Event()),
        )  # fmt: skip
        _finish(pipes, children)
        return report("single-node", n, result)
    finally:
        stop(popen)


def edge_alone(tmp: Path, n: int, rate: float, seconds: float, procs: int) -> float:
    redis, redis_port = start_redis(tmp)
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    edge, port = start_process(edge_argv(tmp / "edge", origin, redis_port, "b1"))
    try:
        rss = psutil.Process(edge.pid).memory_info().rss
        pipes, children = start_clients(port, n, procs)
        _rss_per_socket("edge", edge.pid, rss, n)
        result = measure(
            pipes, [psutil.Process(edge.pid)], lambda: publish_loop(redis_port, rate, seconds)
        )
        _finish(pipes, children)
        return report("edge", n, result)
    finally:
        stop(edge, redis)
        server.shutdown()


def _rss_per_socket(label: str, pid: int, before: int, n: int) -> None:
    time.sleep(1.0)
    after = psutil.Process(pid).memory_info().rss
    print(
        f"{label}: n={n} rss_mb={after / 2**20:.0f} "
        f"rss_per_socket_kb={(after - before) / n / 1024:.1f}"
    )


def _finish(pipes: list[Any], children: list[Any]) -> None:
    for pipe in pipes:
        pipe.send("stop")
    for child in children:
        child.join(10)


def across_edges(tmp: Path, n: int, rate: float, seconds: float, procs: int) -> None:
    redis, redis_port = start_redis(tmp)
    origin_dir = tmp / "origin"
    origin_dir.mkdir()
    (origin_dir / "owncast.toml").write_text(
        '[web]\nip = "127.0.0.1"\n\n[rtmp]\nip = "127.0.0.1"\n\n'
        "[chat]\nspam_protection_enabled = false\n\n"
        f'[cluster]\nrole = "origin"\nredis_url = "redis://127.0.0.1:{redis_port}/0"\n'
        f'secret = "{SECRET}"\nprefix = "{PREFIX}"\n'
    )
    origin, origin_port = start_process(
        [str(OWNCASTD), "--data-dir", str(origin_dir), "--webserverport", "0", "--rtmpport", "0"],
        env={"OWNCAST_ADMIN_PASSWORD": "bench-admin-password"},
    )
    url = f"http://127.0.0.1:{origin_port}"
    edges = [start_process(edge_argv(tmp / f"e{i}", url, redis_port, f"b{i}")) for i in (1, 2)]
    try:
        split = [start_clients(port, n // 2, max(1, procs // 2)) for _, port in edges]
        pipes = [pipe for part in split for pipe in part[0]]
        (token,) = register(edges[0][1], 1)
        watched = [psutil.Process(origin.pid)] + [psutil.Process(e.pid) for e, _ in edges]
        result = measure(
            pipes, watched, lambda: sender(edges[0][1], token, rate, seconds, threading.Event())
        )
        for part in split:
            _finish(*part)
        lat = result["latencies"]
        names = ("origin", "edge1", "edge2")
        cpu = " ".join(
            f"{name}_cpu_s={c:.2f}" for name, c in zip(names, result["cpu"], strict=True)
        )
        print(
            f"across-edges: n={n} rate={rate:g} sent={result['sent']} "
            f"delivered={result['delivered']} lost={result['sent'] * n - result['delivered']} "
            f"p50_ms={percentile(lat, 0.5):.1f} p99_ms={percentile(lat, 0.99):.1f} {cpu}",
            flush=True,
        )
    finally:
        stop(*(e for e, _ in edges), origin, redis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="both", choices=("delivery", "e2e", "both"))
    parser.add_argument("--clients", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--procs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    raise_nofile()
    print(f"machine cpus={os.cpu_count()} load1={os.getloadavg()[0]:.1f}")
    n, rate, seconds, procs = args.clients, args.rate, args.seconds, args.procs
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            if args.part in ("delivery", "both"):
                single = single_node(Path(tmp), n, rate, seconds, procs)
                edge = edge_alone(Path(tmp), n, rate, seconds, procs)
                print(f"edge/single us_per_delivery ratio={edge / single:.2f}", flush=True)
            if args.part in ("e2e", "both"):
                across_edges(Path(tmp), n, rate, seconds, procs)


if __name__ == "__main__":
    main()

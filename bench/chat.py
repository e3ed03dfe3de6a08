"""Chat fan-out: N websocket clients on loopback, one sender at increasing rates.

Starts a real owncastd (spam protection off so one sender can go fast), spreads N clients over
a few client processes (plain sockets + epoll, minimal frame parsing, pongs answered), then for
each rate sends `{"type":"CHAT","body":"b <seq> <t_ns>"}` for a fixed time and prints:

    n=… rate=… deliveries_per_s=… expected_per_s=… lost=… p50_ms=… p99_ms=…
    daemon_cpu_pct=… clients_cpu_pct=… rss_per_socket_kb=…

Latency is wall time from just before the sender's write to the receiving client's read of the
frame, measured on every 10th client. CPU is user+system of the daemon process over the
sending window plus one settle second. Run: `.venv/bin/python bench/chat.py [--clients
1000,4000] [--rates 2,5,10,20,40] [--seconds 6] [--procs 3]`.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import os
import re
import resource
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import bcrypt
import psutil

ROOT = Path(__file__).resolve().parents[1]
READY = re.compile(r"ready http=(\d+) rtmp=(\d+)")
BODY = re.compile(rb'"body":"(?:<p>)?b (\d+) (\d+)')  # (rendered: "<p>b …</p>")
CHAT_MARK = b'"type":"CHAT"'
SAMPLE_EVERY = 10


def raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client → server frame (clients must mask)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


def register(port: int, count: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    tokens = []
    for _ in range(count):
        headers = {"Content-Type": "application/json"}
        conn.request("POST", "/api/chat/register", body=b"{}", headers=headers)
        tokens.append(json.loads(conn.getresponse().read())["accessToken"])
    conn.close()
    return tokens


def open_ws(port: int, token: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws?accessToken={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed during handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head[:100])
    sock.setblocking(False)
    return sock, head.split(b"\r\n\r\n", 1)[1]


class Receiver:
    """One client's frame parser: counts CHAT events, records latency when sampled."""

    __slots__ = ("buf", "sampled", "sock")

    def __init__(self, sock: socket.socket, rest: bytes, sampled: bool) -> None:
        self.sock = sock
        self.buf = rest
        self.sampled = sampled

    def feed(self, data: bytes, now_ns: int, lat: list[float]) -> int:
        buf = self.buf + data if self.buf else data
        count = 0
        pos = 0
        end = len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1] & 0x7F
            head = 2
            if b1 == 126:
                if end - pos < 4:
                    break
                b1 = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif b1 == 127:
                if end - pos < 10:
                    break
                b1 = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if end - pos < head + b1:
                break
            payload = buf[pos + head : pos + head + b1]
            pos += head + b1
            opcode = b0 & 0x0F
            if opcode == 1:
                count += payload.count(CHAT_MARK)
                if self.sampled:
                    for match in BODY.finditer(payload):
                        lat.append((now_ns - int(match[2])) / 1e6)
            elif opcode == 9:
                self.sock.send(masked_frame(0xA, payload))
        self.buf = buf[pos:]
        return count


def client_process(port: int, count: int, offset: int, control) -> None:
    raise_nofile()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tokens = register(port, count)
    receivers: dict[int, Receiver] = {}
    for i, token in enumerate(tokens):
        sock, rest = open_ws(port, token)
        receivers[sock.fileno()] = Receiver(sock, rest, (offset + i) % SAMPLE_EVERY == 0)
    poller = select.epoll()
    for fd in receivers:
        poller.register(fd, select.EPOLLIN)
    poller.register(control.fileno(), select.EPOLLIN)
    control.send("ready")
    delivered, latencies = 0, []
    proc = psutil.Process()
    while True:
        for fd, _ in poller.poll(1.0):
            if fd == control.fileno():
                command = control.recv()
                if command == "report":
                    control.send((delivered, latencies, sum(proc.cpu_times()[:2])))
                    delivered, latencies = 0, []
                    continue
                return
            receiver = receivers[fd]
            try:
                data = receiver.sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                poller.unregister(fd)
                continue
            delivered += receiver.feed(data, time.time_ns(), latencies)


def sender(port: int, token: str, rate: float, seconds: float, stop: threading.Event) -> int:
    sock, _ = open_ws(port, token)
    sock.setblocking(True)
    drain_stop = threading.Event()

    def drain() -> None:
        sock.settimeout(0.2)
        while not drain_stop.is_set():
            try:
                if not sock.recv(262144):
                    return
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    interval = 1.0 / rate
    start = time.monotonic()
    seq = 0
    while time.monotonic() - start < seconds and not stop.is_set():
        due = start + seq * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = f"b {seq} {time.time_ns()}"
        sock.sendall(masked_frame(1, json.dumps({"type": "CHAT", "body": body}).encode()))
        seq += 1
    drain_stop.set()
    reader.join()
    sock.close()
    return seq


DAEMON_LOG: list[str] = []


def _keep_log(popen: subprocess.Popen) -> None:
    assert popen.stdout is not None
    for line in popen.stdout:
        DAEMON_LOG.append(line.rstrip())


def start_daemon(data_dir: Path) -> tuple[subprocess.Popen, int]:
    data_dir.mkdir(parents=True, exist_ok=True)
    password_hash = bcrypt.hashpw(b"bench", bcrypt.gensalt(rounds=4)).decode()
    (data_dir / "owncast.toml").write_text(
        f'[admin]\npassword_hash = "{password_hash}"\n\n[web]\nip = "127.0.0.1"\n\n'
        '[rtmp]\nip = "127.0.0.1"\n\n[chat]\nspam_protection_enabled = false\n'
    )
    binary = ROOT / ".venv" / "bin" / "owncastd"
    popen = subprocess.Popen(
        [str(binary), "--data-dir", str(data_dir), "--webserverport", "0", "--rtmpport", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert popen.stdout is not None
    deadline = time.monotonic() + 30
    for line in popen.stdout:
        ready = READY.search(line)
        if ready:
            threading.Thread(target=_keep_log, args=(popen,), daemon=True).start()
            return popen, int(ready[1])
        if time.monotonic() > deadline:
            break
    popen.kill()
    raise RuntimeError("owncastd did not start")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def start_clients(port: int, sockets: int, procs: int) -> tuple[list[Any], list[Any]]:
    """`sockets` chat clients spread over `procs` forked processes, all connected: (the pipes
    to ask them for reports, the processes); RuntimeError when one fails to start."""
    pipes, children, offset = [], [], 0
    ctx = mp.get_context("fork")
    for count in [sockets // procs + (1 if i < sockets % procs else 0) for i in range(procs)]:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(port, count, offset, child))
        proc.start()
        pipes.append(parent)
        children.append(proc)
        offset += count
    for pipe in pipes:
        try:
            ready = pipe.recv()
        except EOFError:
            ready = None
        if ready != "ready":
            raise RuntimeError("client process failed")
    return pipes, children


def collect_reports(pipes: list[Any]) -> tuple[int, list[float], float]:
    """Ask every client process for its report (which also zeroes its counters): deliveries,
    latency samples and client CPU-seconds, summed over the processes."""
    for pipe in pipes:
        pipe.send("report")
    delivered, latencies, cpu = 0, [], 0.0
    for pipe in pipes:
        d, lat, c = pipe.recv()
        delivered += d
        latencies += lat
        cpu += c
    return delivered, latencies, cpu


def run(n: int, rates: list[float], seconds: float, procs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        popen, port = start_daemon(Path(tmp) / "data")
        daemon = psutil.Process(popen.pid)
        try:
            rss_before = daemon.memory_info().rss
            try:
                pipes, children = start_clients(port, n, procs)
            except RuntimeError:
                print("\n".join(DAEMON_LOG[-40:]))
                raise
            time.sleep(1.0)
            rss_after = daemon.memory_info().rss
            rss_per_socket = (rss_after - rss_before) / n / 1024
            (token,) = register(port, 1)
            print(f"n={n} rss_mb={rss_after / 2**20:.0f} rss_per_socket_kb={rss_per_socket:.1f}")
            client_cpu_before = 0.0
            for pipe in pipes:
                pipe.send("report")
                client_cpu_before += pipe.recv()[2]
            for rate in rates:
                cpu0 = daemon.cpu_times()
                t0 = time.monotonic()
                sent = sender(port, token, rate, seconds, threading.Event())
                time.sleep(1.0)
                wall = time.monotonic() - t0
                cpu1 = daemon.cpu_times()
                delivered, latencies, client_cpu = collect_reports(pipes)
                daemon_cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall
                expected = sent * n
                print(
                    f"n={n} rate={rate:g} sent={sent} deliveries_per_s={delivered / wall:.0f} "
                    f"expected_per_s={expected / wall:.0f} lost={expected - delivered} "
                    f"p50_ms={percentile(latencies, 0.5):.1f} "
                    f"p99_ms={percentile(latencies, 0.99):.1f} "
                    f"daemon_cpu_pct={100 * daemon_cpu:.0f} "
                    f"daemon_us_per_delivery={1e6 * daemon_cpu * wall / max(1, delivered):.1f} "
                    f"clients_cpu_pct={100 * (client_cpu - client_cpu_before) / wall:.0f}",
                    flush=True,
                )
                client_cpu_before = client_cpu
                if latencies and statistics.median(latencies) > 2000:
                    print(f"n={n} saturated at rate={rate:g}; stopping this n")
                    break
            for pipe in pipes:
                pipe.send("stop")
            for proc in children:
                proc.join(10)
        finally:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(20)
            except subprocess.TimeoutExpired:
                popen.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1000,4000")
    parser.add_argument("--rates", default="2,5,10,20,40")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--procs", type=int, default=3)
    args = parser.parse_args()
    raise_nofile()
    load = os.getloadavg()
    print(f"machine cpus={os.cpu_count()} python={sys.version.split()[0]} load1={load[0]:.1f}")
    for n in (int(x) for x in args.clients.split(",")):
        run(n, [float(r) for r in args.rates.split(",")], args.seconds, args.procs)


if __name__ == "__main__":
    main()

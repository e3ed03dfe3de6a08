"""Federation fan-out benchmark (issue 11): one admin post delivered to F follower inboxes on
loopback (signed per request, through the persistent queue) while public chat runs at R msg/s
to N websocket clients, on one real owncastd.

Receivers: H loopback HTTP server processes answering 202, F distinct inbox URLs spread over
them (no shared inbox, so F signed POSTs). Followers are written into the daemon's SQLite
before the post; the post is `POST /api/admin/federation/send`. Public chat is
`bench/chat.py`'s load (its clients and sender), latency on every 10th client. Prints
`name=value` lines:

    idle_chat_p50_ms, idle_chat_p99_ms, idle_chat_lost (chat alone, `--idle` seconds: the
    baseline); fanout_s (the post's 200 → the F-th POST received), deliveries_per_s,
    daemon_cpu_s (during the fan-out), chat_p50_ms, chat_p99_ms, chat_lost (from 1 s before
    the post to the last delivery)

Goal: 1,000 followers in < 30 s with chat p99 < 100 ms. Run:
`.venv/bin/python bench/federation.py [--followers 1000] [--hosts 4] [--sockets 1000]
[--rate 5] [--procs 2] [--idle 4]`
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bcrypt
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.chat import (  # noqa: E402
    READY,
    collect_reports,
    percentile,
    register,
    sender,
    start_clients,
)


def receiver_process(counter: Any, ports: Any, index: int, ready: Any) -> None:
    """An inbox server answering 202 to every POST, counting them in `counter`."""

    class Inbox(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with counter.get_lock():
                counter.value += 1

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    ports[index] = server.server_address[1]
    ready.set()
    server.serve_forever()


def start_daemon(data_dir: Path) -> tuple[subprocess.Popen, int]:
    """owncastd with federation on, private addresses allowed, chat spam protection off."""
    data_dir.mkdir(parents=True, exist_ok=True)
    password_hash = bcrypt.hashpw(b"bench", bcrypt.gensalt(rounds=4)).decode()
    (data_dir / "owncast.toml").write_text(
        f'[admin]\npassword_hash = "{password_hash}"\n\n[web]\nip = "127.0.0.1"\n\n'
        '[rtmp]\nip = "127.0.0.1"\n\n[chat]\nspam_protection_enabled = false\n\n'
        '[server]\nurl = "http://127.0.0.1:9"\n\n'
        "[federation]\nenabled = true\nallow_private_addresses = true\n"
    )
    popen = subprocess.Popen(
        [str(ROOT / ".venv/bin/owncastd"), "--data-dir", str(data_dir),
         "--webserverport", "0", "--rtmpport", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert popen.stdout is not None
    for line in popen.stdout:
        if ready := READY.search(line):
            threading.Thread(target=lambda: [None for _ in popen.stdout], daemon=True).start()  # type: ignore[union-attr]
            return popen, int(ready[1])
    raise RuntimeError("owncastd did not start")


def add_followers(db: Path, ports: list[int], count: int) -> None:
    """`count` approved followers, each with its own inbox, round-robin over the receivers."""
    conn = sqlite3.connect(db, timeout=30)
    now = time.time()
    with conn:
        conn.executemany(
            "INSERT INTO ap_followers (iri, inbox, created_at, approved_at) VALUES (?, ?, ?, ?)",
            [
                (f"http://127.0.0.1:{ports[i % len(ports)]}/users/u{i}",
                 f"http://127.0.0.1:{ports[i % len(ports)]}/users/u{i}/inbox", now, now)
                for i in range(count)
            ],
        )  # fmt: skip
    conn.close()


def post_note(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = b64encode(b"admin:bench").decode()
    body = json.dumps({"value": "Going live soon #bench"})
    headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}
    conn.request("POST", "/api/admin/federation/send", body, headers)
    status = conn.getresponse().status
    conn.close()
    return status


def chat_phase(port: int, token: str, rate: float, until: Any) -> int:
    """Public chat at `rate` msg/s until `until()` returns; how many messages were sent."""
    stop = threading.Event()
    sent_box: list[int] = []
    chat = threading.Thread(target=lambda: sent_box.append(sender(port, token, rate, 120, stop)))
    chat.start()
    until()
    stop.set()
    chat.join()
    time.sleep(1.0)  # the last messages reach the clients
    return sent_box[0] if sent_box else 0


def print_chat(label: str, pipes: list[Any], sent: int, sockets: int) -> None:
    delivered, latencies, _ = collect_reports(pipes)
    print(f"{label}chat_sent={sent} {label}chat_lost={sent * sockets - delivered}")
    print(f"{label}chat_p50_ms={percentile(latencies, 0.5):.1f}")
    print(f"{label}chat_p99_ms={percentile(latencies, 0.99):.1f}")


def measure(port: int, daemon: psutil.Process, counter: Any, args: argparse.Namespace) -> None:
    """Chat with no federation work (the baseline), then chat during the post's fan-out;
    print the figures."""
    pipes, children = start_clients(port, args.sockets, args.procs)
    (token,) = register(port, 1)
    collect_reports(pipes)  # zero the clients' counters
    sent = chat_phase(port, token, args.rate, lambda: time.sleep(args.idle))
    print(f"chat_sockets={args.sockets} chat_rate={args.rate:g} idle_s={args.idle:g}")
    print_chat("idle_", pipes, sent, args.sockets)
    box: dict[str, float] = {}

    def fan_out() -> None:
        time.sleep(1.0)
        cpu0 = daemon.cpu_times()
        t0 = time.monotonic()
        box["status"] = post_note(port)
        while counter.value < args.followers and time.monotonic() - t0 < 120:
            time.sleep(0.02)
        box["fanout"] = time.monotonic() - t0
        cpu1 = daemon.cpu_times()
        box["cpu"] = cpu1.user + cpu1.system - cpu0.user - cpu0.system

    sent = chat_phase(port, token, args.rate, fan_out)
    print(f"post_status={box['status']:.0f} followers={args.followers} hosts={args.hosts}")
    print(f"fanout_s={box['fanout']:.2f} received={counter.value}")
    print(f"deliveries_per_s={counter.value / box['fanout']:.0f}")
    print(f"daemon_cpu_s={box['cpu']:.2f}")
    print_chat("", pipes, sent, args.sockets)
    for pipe in pipes:
        pipe.send("stop")
    for proc in children:
        proc.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--idle", type=float, default=4.0, help="seconds of baseline chat")
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    counter, ports = ctx.Value("i", 0), ctx.Array("i", args.hosts)
    receivers = []
    for i in range(args.hosts):
        ready = ctx.Event()
        proc = ctx.Process(target=receiver_process, args=(counter, ports, i, ready), daemon=True)
        proc.start()
        ready.wait(10)
        receivers.append(proc)
    with tempfile.TemporaryDirectory() as tmp:
        popen, port = start_daemon(Path(tmp) / "data")
        daemon = psutil.Process(popen.pid)
        try:
            add_followers(Path(tmp) / "data" / "owncast.db", list(ports), args.followers)
            measure(port, daemon, counter, args)
        finally:
            popen.terminate()
            try:
                popen.wait(20)
            except subprocess.TimeoutExpired:
                popen.kill()
            for proc in receivers:
                proc.terminate()


if __name__ == "__main__":
    main()

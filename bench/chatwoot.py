"""Chatwoot bridge benchmark (issue 15): V viewers each send one private message to the team
while public chat runs at R msg/s fanned out to N websocket clients, on one real owncastd.

The stand-in Chatwoot runs in its own process (no Prism: it is slow and not what is measured),
set up through `POST /api/admin/chatwoot/setup` (what `owncastctl chatwoot setup` does), its
agent bot posting its webhooks back to the daemon. Public chat is `bench/chat.py`'s load: N
sockets over a few client processes, one sender at R msg/s; latency from the sender's write to
a client's read, on every 10th client. The V private messages are posted (32 at once) 2 s into
the chat window, from a process of their own. Prints `name=value` lines:

    idle_chat_p50_ms, idle_chat_p99_ms, idle_daemon_cpu_pct (the same chat first, with the
    bridge idle: the baseline), private_accepted (202s), private_post_s (all posted),
    private_all_stored_s (first post → the V-th message stored in Chatwoot), chat_p50_ms,
    chat_p99_ms, chat_lost, daemon_cpu_pct, cpu_ms_per_private (the daemon's CPU above the
    idle rate, per private message), standin_cpu_s (the stand-in's CPU-seconds)

The issue asks for all 500 within 10 s and a public chat p99 under 100 ms at 4,000 sockets ×
5 msg/s. Run: `.venv/bin/python bench/chatwoot.py [--sockets 4000] [--rate 5] [--viewers 500]
[--seconds 15] [--idle-seconds 8] [--procs 3] [--bot-overrides-status]` (the last: the
stand-in starts a bot's conversations pending whatever was asked, as Chatwoot v3+ does).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from base64 import b64encode
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.chat import (  # noqa: E402
    DAEMON_LOG,
    collect_reports,
    percentile,
    raise_nofile,
    register,
    sender,
    start_clients,
    start_daemon,
)
from bench.chatwoot_client import start_standin  # noqa: E402
from tests.chatwoot_standin.state import ChatwootState  # noqa: E402

ADMIN = "Basic " + b64encode(b"admin:bench").decode()  # start_daemon's admin password
POSTERS = 32


def call(port: int, method: str, path: str, body: Any = None, auth: bool = False) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"} | ({"Authorization": ADMIN} if auth else {})
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    if answer.status >= 300:
        raise RuntimeError(f"{method} {path}: {answer.status} {data[:200]!r}")
    return json.loads(data) if data else None


def stored(standin_url: str) -> int:
    """Incoming (viewer) messages the stand-in holds."""
    port = int(standin_url.rsplit(":", 1)[1])
    # (not /_test/state: its whole snapshot, rebuilt under the stand-in's lock 10 times a
    # second, slowed the stand-in's API down in the measurement itself)
    return int(call(port, "POST", "/_test/stored", {})["incoming"])


def post_private(port: int, tokens: list[str]) -> int:
    """Each viewer sends one private message (POSTERS at once); how many got their 202."""

    def one(n_token: tuple[int, str]) -> bool:
        n, token = n_token
        path = f"/api/chatwoot/messages?accessToken={token}"
        try:
            call(port, "POST", path, {"body": f"private hello {n}"})
        except (OSError, RuntimeError):
            return False
        return True

    with ThreadPoolExecutor(POSTERS) as pool:
        return sum(pool.map(one, enumerate(tokens)))


def timed_posts(port: int, tokens: list[str]) -> tuple[int, float]:
    """`post_private` and its seconds (run in the poster process)."""
    start = time.monotonic()
    return post_private(port, tokens), time.monotonic() - start


def private_round(
    pool: ProcessPoolExecutor,
    port: int,
    standin_url: str,
    tokens: list[str],
    out: dict[str, float],
) -> None:
    """Post the private messages from the poster process (its threads would otherwise take
    the GIL from the chat sender in this one, whose send times the latencies start from) and
    poll the stand-in until all are stored (or 60 s)."""
    start = time.monotonic()
    posting = pool.submit(timed_posts, port, tokens)
    while time.monotonic() - start < 60:
        if posting.done() and "private_accepted" not in out:
            out["private_accepted"], out["private_post_s"] = posting.result()
        if stored(standin_url) >= len(tokens):
            out["private_all_stored_s"] = time.monotonic() - start
            break
        time.sleep(0.1)
    else:
        out["private_stored_after_60s"] = stored(standin_url)
    out["private_accepted"], out["private_post_s"] = posting.result()


def chat_window(
    port: int,
    token: str,
    args: argparse.Namespace,
    pipes: list[Any],
    seconds: float,
    during: threading.Timer | None = None,
) -> tuple[int, list[float], float, float]:
    """Public chat for `seconds` (with `during` started alongside): sent, latencies, the
    daemon's CPU-seconds and the wall time (plus one settle second)."""
    daemon, standin = psutil.Process(DAEMON_PID[0]), psutil.Process(STANDIN_PID[0])
    for pipe in pipes:  # zero the counters
        pipe.send("report")
        pipe.recv()
    cpu0, t0, standin0 = daemon.cpu_times(), time.monotonic(), standin.cpu_times()
    if during is not None:
        during.start()
    sent = sender(port, token, args.rate, seconds, threading.Event())
    if during is not None:
        during.join()
    time.sleep(1.0)
    wall, cpu1, standin1 = time.monotonic() - t0, daemon.cpu_times(), standin.cpu_times()
    used = standin1.user + standin1.system - standin0.user - standin0.system
    print(f"{'' if during else 'idle_'}standin_cpu_s={used:.1f}")
    delivered, latencies, _ = collect_reports(pipes)
    lost = sent * args.sockets - delivered
    print(f"{'chat' if during else 'idle_chat'}_lost={lost}")
    busy = cpu1.user + cpu1.system - cpu0.user - cpu0.system
    return sent, latencies, busy, wall


def measure(port: int, standin_url: str, args: argparse.Namespace, pipes: list[Any]) -> None:
    (chat_token,) = register(port, 1)
    viewer_tokens = register(port, args.viewers)
    print(f"sockets={args.sockets} rate={args.rate:g} viewers={args.viewers}")
    idle_rate = 0.0
    sender(port, chat_token, args.rate, 3.0, threading.Event())  # warm-up, not measured
    time.sleep(1.0)  # (its last deliveries before the counters are zeroed)
    if args.idle_seconds > 0:  # the same chat with the bridge idle: the baseline
        _sent, latencies, busy, wall = chat_window(port, chat_token, args, pipes, args.idle_seconds)
        idle_rate = busy / wall
        print(f"idle_chat_p50_ms={percentile(latencies, 0.5):.1f}")
        print(f"idle_chat_p99_ms={percentile(latencies, 0.99):.1f}")
        print(f"idle_daemon_cpu_pct={100 * idle_rate:.0f}", flush=True)
    out: dict[str, float] = {}
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        pool.submit(int).result()  # the poster process is up before the window
        timer = threading.Timer(2.0, private_round, (pool, port, standin_url, viewer_tokens, out))
        sent, latencies, busy, wall = chat_window(
            port, chat_token, args, pipes, args.seconds, during=timer
        )
    print(f"sent={sent}")
    for key, value in out.items():
        print(f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}")
    print(f"chat_p50_ms={percentile(latencies, 0.5):.1f}")
    print(f"chat_p99_ms={percentile(latencies, 0.99):.1f}")
    print(f"daemon_cpu_pct={100 * busy / wall:.0f}")
    if idle_rate:  # what the private messages added, per message
        extra = (busy - idle_rate * wall) / max(1, args.viewers)
        print(f"cpu_ms_per_private={1000 * extra:.1f}", flush=True)


DAEMON_PID: list[int] = []
STANDIN_PID: list[int] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--procs", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=8.0, help="0: no baseline")
    parser.add_argument(
        "--bot-overrides-status",
        action="store_true",
        help="the stand-in starts conversations pending whatever was asked",
    )
    args = parser.parse_args()
    raise_nofile()
    print(f"machine cpus={os.cpu_count()} load1={os.getloadavg()[0]:.1f}")
    flags = ["--bot-overrides-status"] if args.bot_overrides_status else []
    standin, standin_url = start_standin(*flags)
    STANDIN_PID.append(standin.pid)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            popen, port = start_daemon(Path(tmp) / "data")
            DAEMON_PID.append(popen.pid)
            try:
                setup = {"url": standin_url, "accountId": 1, "token": ChatwootState.token,
                         "serverUrl": f"http://127.0.0.1:{port}"}  # fmt: skip
                call(port, "POST", "/api/admin/chatwoot/setup", setup, auth=True)
                pipes, children = start_clients(port, args.sockets, args.procs)
                measure(port, standin_url, args, pipes)
                for pipe in pipes:
                    pipe.send("stop")
                for proc in children:
                    proc.join(10)
            except Exception:
                print("\n".join(DAEMON_LOG[-30:]))
                raise
            finally:
                popen.terminate()
                popen.wait(20)
    finally:
        standin.terminate()
        standin.wait()


if __name__ == "__main__":
    main()

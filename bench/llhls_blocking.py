"""LL-HLS blocking playlist reloads at scale (issue 13): N clients parked on one variant.

A real owncastd with `[video] low_latency = true` transcodes a pushed testsrc 640x360@30
(Owncast's default variant: source size, 1200 kbps, 24 fps, x264 ultrafast; 1 s segments
of ~200 ms parts). After a warm-up, it measures the daemon's own CPU (ffmpeg excluded) with
no client, then N clients on keep-alive connections each looping "blocking reload for the
hinted part" (`_HLS_msn`/`_HLS_part`) in a separate client process, and prints:

- the daemon's CPU (% of one core) idle and with N parked clients, and its RSS before/with
  them (per-client cost);
- part-to-client delay, p50/p95/p99/max over every answer: when a client got the playlist
  listing the part it waited for, minus when the first of the N clients got it (the first
  answer leaves as the part lands, so this is what the daemon's waking and writing to
  everyone costs the later ones). Program date-times are no reference for the absolute
  delay: the daemon anchors them at the first part's arrival, and ffmpeg's start-up
  buffering makes that one late, so later parts look early.

    .venv/bin/python bench/hls_delivery.py --mode ll-blocking [--clients 500] [--duration 20]

The client process competes for the same CPUs: on a 2-core machine its own wake-ups are
part of the measured delays.
"""

from __future__ import annotations

import json
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HINT = re.compile(rb'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(\d+)\.(\d+)\.m4s"')
_LENGTH = re.compile(rb"content-length: (\d+)", re.IGNORECASE)
VARIANT = "[[video.variants]]\ncpu_usage_level = 0\n"


class _Conn:
    """One client connection: what it asked for and what it has read."""

    __slots__ = ("buffer", "part", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.part = (0, 0)

    def ask(self, msn: int, part: int) -> None:
        self.part = (msn, part)
        query = f"?_HLS_msn={msn}&_HLS_part={part}" if msn >= 0 else ""
        self.sock.sendall(f"GET /hls/ll/0/stream.m3u8{query} HTTP/1.1\r\nHost: b\r\n\r\n".encode())

    def response(self) -> bytes | None:
        """The body of a complete response in the buffer (taken out of it), or None."""
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        length = int(_LENGTH.search(self.buffer, 0, head_end).group(1))  # type: ignore[union-attr]
        end = head_end + 4 + length
        if len(self.buffer) < end:
            return None
        body, self.buffer = self.buffer[head_end + 4 : end], self.buffer[end:]
        return body


def run_clients(port: int, clients: int, seconds: float) -> list[tuple[int, int, float]]:
    """N keep-alive clients in one epoll loop (a Python task per client would add its own
    scheduling to every figure); (msn, part, arrival) of every answer, the arrival being
    when epoll reported the socket readable."""
    poller = select.epoll()
    conns: dict[int, _Conn] = {}
    for _ in range(clients):
        conn = _Conn(socket.create_connection(("127.0.0.1", port)))
        conns[conn.sock.fileno()] = conn
        poller.register(conn.sock.fileno(), select.EPOLLIN)
        conn.ask(-1, 0)
    samples: list[tuple[int, int, float]] = []
    until = time.time() + seconds
    while time.time() < until:
        events = poller.poll(1.0)
        now = time.time()
        for fd, _ in events:
            conn = conns[fd]
            conn.buffer += conn.sock.recv(1 << 20)
            body = conn.response()
            if body is None:
                continue
            if conn.part[0] >= 0:
                samples.append((*conn.part, now))
            hint = _HINT.search(body, max(0, len(body) - 200))
            if hint is None:
                return samples
            conn.ask(int(hint.group(1)), int(hint.group(2)))
    return samples


def _quantiles(values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return "n/a"
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return (
        f"p50={pick(0.5) * 1000:.0f}ms p95={pick(0.95) * 1000:.0f}ms "
        f"p99={pick(0.99) * 1000:.0f}ms max={values[-1] * 1000:.0f}ms n={len(values)}"
    )


def report(samples: list[tuple[int, int, float]]) -> None:
    """Print the delays: each answer's arrival minus the first arrival of the same part."""
    first: dict[tuple[int, int], float] = {}
    for msn, part, arrived in samples:
        first[(msn, part)] = min(arrived, first.get((msn, part), arrived))
    delays = [arrived - first[(msn, part)] for msn, part, arrived in samples]
    print(f"part_to_client {_quantiles(delays)} parts={len(first)}")


def bench(clients: int, duration: int) -> None:
    """Run the whole measurement (see the module docstring)."""
    from _daemon import Owncastd, write_config
    from latency import push_live

    with tempfile.TemporaryDirectory(prefix="llhls-bench-") as tmp:
        config = write_config(Path(tmp) / "data", latency=0, variants=VARIANT)
        config.write_text(config.read_text().replace("[video]\n", "[video]\nlow_latency = true\n"))
        with Owncastd(Path(tmp) / "data") as daemon:
            pusher, _ = push_live(daemon.rtmp_url)
            try:
                daemon.wait_online()
                time.sleep(5)  # warm-up: the encoder's pace settles
                cpu0, t0 = daemon.own_cpu(), time.monotonic()
                time.sleep(duration / 2)
                idle = (daemon.own_cpu() - cpu0) / (time.monotonic() - t0)
                rss0 = daemon.process.memory_info().rss
                argv = [
                    sys.executable,
                    __file__,
                    "--client",
                    str(daemon.http_port),
                    str(clients),
                    str(duration),
                ]
                child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
                time.sleep(3)  # connected and parked
                cpu1, t1 = daemon.own_cpu(), time.monotonic()
                rss1 = daemon.process.memory_info().rss
                time.sleep(duration - 6)
                busy = (daemon.own_cpu() - cpu1) / (time.monotonic() - t1)
                out, _ = child.communicate(timeout=duration + 30)
            finally:
                pusher.terminate()
                pusher.wait(10)
    samples = [(int(m), int(p), float(t)) for m, p, t in json.loads(out)]
    print(f"clients={clients} duration={duration}s")
    print(f"daemon_cpu_idle={idle * 100:.1f}% daemon_cpu_with_clients={busy * 100:.1f}%")
    print(
        f"daemon_rss_before={rss0 / 1e6:.1f}MB with_clients={rss1 / 1e6:.1f}MB "
        f"per_client={(rss1 - rss0) / clients / 1024:.1f}KB"
    )
    report(samples)


def transcoder_cost(seconds: int = 20) -> None:
    """ffmpeg's CPU (% of one core) for the same push with LL-HLS off and on: what the tee's
    second muxer per variant (fragmented MP4 to a pipe) costs next to the classic output."""
    from _daemon import Owncastd, cpu_seconds, write_config
    from latency import push_live

    for low_latency in (False, True, False, True):
        with tempfile.TemporaryDirectory(prefix="llhls-cost-") as tmp:
            config = write_config(Path(tmp) / "data", latency=0, variants=VARIANT)
            flag = "true" if low_latency else "false"
            config.write_text(
                config.read_text().replace("[video]\n", f"[video]\nlow_latency = {flag}\n")
            )
            with Owncastd(Path(tmp) / "data") as daemon:
                pusher, _ = push_live(daemon.rtmp_url)
                try:
                    daemon.wait_online()
                    time.sleep(3)
                    ffmpeg = daemon.transcoder()
                    assert ffmpeg is not None
                    cpu0, own0, t0 = cpu_seconds(ffmpeg), daemon.own_cpu(), time.monotonic()
                    time.sleep(seconds)
                    elapsed = time.monotonic() - t0
                    used = (cpu_seconds(ffmpeg) - cpu0) / elapsed
                    own = (daemon.own_cpu() - own0) / elapsed
                finally:
                    pusher.terminate()
                    pusher.wait(10)
        print(f"low_latency={flag} ffmpeg_cpu={used * 100:.1f}% daemon_cpu={own * 100:.1f}%")


def client_main(port: int, clients: int, seconds: float) -> None:
    """The client process: print the samples as JSON."""
    print(json.dumps(run_clients(port, clients, seconds)))


if __name__ == "__main__" and sys.argv[1:2] == ["--client"]:
    client_main(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))

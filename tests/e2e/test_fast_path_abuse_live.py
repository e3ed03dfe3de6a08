"""The lean viewer path under abuse while live (issue 17): a chromium page plays a real
stream (ffmpeg pushing RTMP) while outsiders send slowloris heads, fetch segments they never
read, hold 2,000 idle keep-alive connections, pipeline bursts, send malformed request lines
and huge heads. Each abuse gets its clean answer (400, 431, all pipelined answers in order,
slow ones closed) and the video keeps playing (currentTime advances, no long stall).

The abusers come from 127.0.0.2 … and 127.0.2.x (each address under the per-IP cap); the
page comes from 127.0.0.1.
"""

from __future__ import annotations

import threading
import time

import pytest
import trio
from playwright.sync_api import sync_playwright

from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import DaemonProcess, Publisher, write_config
from tests.e2e.test_abuse_live import longest_stall

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ABUSE_SECONDS = 12.0
IDLE_CONNECTIONS = 2000
IDLE_PER_ADDRESS = 100
LONGEST_STALL = 4.0
CURRENT_TIME = "document.querySelector('#player').currentTime"
SAMPLE_PLAYBACK = f"""window.played = [];
    setInterval(() => window.played.push([performance.now() / 1000, {CURRENT_TIME}]), 250)"""


async def _connect(port: int, source: str) -> trio.SocketStream:
    sock = trio.socket.socket()
    await sock.bind((source, 0))
    await sock.connect(("127.0.0.1", port))
    return trio.SocketStream(sock)


async def _answer(stream: trio.SocketStream, limit: float = 5) -> bytes:
    """Everything until the server closes (or `limit` seconds)."""
    data = b""
    with trio.move_on_after(limit):
        while chunk := await stream.receive_some(65536):
            data += chunk
    return data


async def _newest_segment(port: int) -> str:
    stream = await _connect(port, "127.0.0.6")
    await stream.send_all(b"GET /hls/0/stream.m3u8 HTTP/1.1\r\nConnection: close\r\n\r\n")
    playlist = (await _answer(stream)).decode()
    return [line for line in playlist.splitlines() if line.endswith(".ts")][-1]


class Abuse:
    """The abusers, run in one trio thread; `problems` are wrong answers they saw."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.problems: list[str] = []
        self.counts = {"malformed": 0, "huge": 0, "bursts": 0, "slowloris": 0, "stuck": 0}
        self.idle = 0

    async def run(self) -> None:
        segment = await _newest_segment(self.port)
        async with trio.open_nursery() as nursery:
            nursery.cancel_scope.deadline = trio.current_time() + ABUSE_SECONDS
            nursery.start_soon(self._idle_holders)
            nursery.start_soon(self._repeat, self._slowloris, "127.0.0.2")
            nursery.start_soon(self._repeat, self._never_reads, "127.0.0.3", segment)
            nursery.start_soon(self._repeat, self._bad_requests, "127.0.0.4")
            nursery.start_soon(self._repeat, self._burst, "127.0.0.5", segment)

    async def _repeat(self, attack, *args) -> None:
        while True:
            try:
                await attack(*args)
            except (OSError, trio.BrokenResourceError, trio.ClosedResourceError) as exc:
                self.problems.append(f"{attack.__name__}: {exc!r}")
                await trio.sleep(0.5)

    async def _idle_holders(self) -> None:
        held: list[trio.SocketStream] = []
        for n in range(IDLE_CONNECTIONS):
            stream = await _connect(self.port, f"127.0.2.{n // IDLE_PER_ADDRESS + 1}")
            await stream.send_all(b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await stream.receive_some(4096)
            if not head.startswith(b"HTTP/1.1 200"):
                self.problems.append(f"idle holder {n} got {head[:60]!r}")
            held.append(stream)
            self.idle = len(held)
        await trio.sleep_forever()

    async def _slowloris(self, source: str) -> None:
        stream = await _connect(self.port, source)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._trickle, stream)
            await _answer(stream, 15)  # the head timeout closes it
            nursery.cancel_scope.cancel()
        self.counts["slowloris"] += 1

    async def _trickle(self, stream: trio.SocketStream) -> None:
        for byte in b"GET /hls/stream.m3u8 HTTP/1.1\r\nX-Slow: " + b"a" * 1000:
            try:
                await stream.send_all(bytes([byte]))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return
            await trio.sleep(0.2)

    async def _never_reads(self, source: str, segment: str) -> None:
        streams = []
        for _ in range(20):
            stream = await _connect(self.port, source)
            stream.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_RCVBUF, 4096)
            await stream.send_all(f"GET /hls/0/{segment} HTTP/1.1\r\n\r\n".encode() * 3)
            streams.append(stream)
            self.counts["stuck"] += 1
        await trio.sleep(3)
        for stream in streams:
            await stream.aclose()

    async def _bad_requests(self, source: str) -> None:
        for request, expected, name in (
            (b"GARBAGE / HTTP/1.1 x\r\n\r\n", b"HTTP/1.1 400", "malformed"),
            (
                b"GET /hls/stream.m3u8 HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
                b"HTTP/1.1 431",
                "huge",
            ),
        ):
            stream = await _connect(self.port, source)
            await stream.send_all(request)
            answer = await _answer(stream)
            await stream.aclose()
            if not answer.startswith(expected):
                self.problems.append(f"{name}: {answer[:80]!r}")
            self.counts[name] += 1
        await trio.sleep(0.05)

    async def _burst(self, source: str, segment: str) -> None:
        paths = ["/api/ping", "/hls/0/stream.m3u8", "/api/status", f"/hls/0/{segment}"] * 10
        stream = await _connect(self.port, source)
        burst = "".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n" for p in paths[:-1])
        burst += f"GET {paths[-1]} HTTP/1.1\r\nConnection: close\r\n\r\n"
        await stream.send_all(burst.encode())
        answers = (await _answer(stream, 10)).count(b"HTTP/1.1 200 OK\r\n")
        await stream.aclose()
        if answers != len(paths):
            self.problems.append(f"burst: {answers} of {len(paths)} answered")
        self.counts["bursts"] += 1
        await trio.sleep(0.2)


def test_page_keeps_playing_while_the_fast_path_is_abused(tmp_path):
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(daemon.url + "/")
            page.wait_for_function(f"{CURRENT_TIME} > 1", timeout=30_000)
            page.evaluate(SAMPLE_PLAYBACK)
            abuse = Abuse(daemon.http_port)
            thread = threading.Thread(target=trio.run, args=(abuse.run,))
            started = time.monotonic()
            thread.start()
            while thread.is_alive():
                page.wait_for_timeout(250)
            played = [tuple(sample) for sample in page.evaluate("window.played")]
            browser.close()
        assert time.monotonic() - started >= ABUSE_SECONDS - 1
        assert daemon.process.poll() is None, "owncastd exited"
    finally:
        publisher.stop()
        code = daemon.stop()
    stall = longest_stall(played)
    (first, start_time), (last, end_time) = played[0], played[-1]
    report = f"played {end_time - start_time:.1f} s in {last - first:.1f} s; {abuse.counts}"
    assert not abuse.problems, "\n".join([*abuse.problems[:20], report])
    assert stall <= LONGEST_STALL, report
    assert end_time - start_time > ABUSE_SECONDS - LONGEST_STALL, report
    assert abuse.idle == IDLE_CONNECTIONS, report
    assert all(abuse.counts.values()), report
    assert code == 0
    assert not errors, errors

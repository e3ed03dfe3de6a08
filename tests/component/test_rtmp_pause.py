"""A paused daemon (SIGSTOP/SIGCONT, a suspended VM) must not drop a publisher whose data waits.

The first test stops time for the server with a mock clock; the second stops a real server
process while a real ffmpeg keeps pushing.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import trio
import trio.testing

from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import AVC_SEQUENCE_HEADER, FakeGate, avc_frame
from tests.component.test_rtmp_server import KEY, closed_lines, serve, wait_for_tags
from tests.component.test_rtmp_server import rtmp_logs as rtmp_logs


async def test_a_late_read_deadline_reads_again(
    nursery: trio.Nursery, mock_clock: trio.testing.MockClock, rtmp_logs: pytest.LogCaptureFixture
) -> None:
    gate = FakeGate(KEY)
    client, done = serve(nursery, RtmpServer(gate, "127.0.0.1", 0, read_timeout=10))
    await client.publish(KEY)
    [publication] = gate.publications
    await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
    await wait_for_tags(publication, 1)
    mock_clock.jump(30)  # the process was stopped for 30 s: the read deadline fires 20 s late
    await trio.testing.wait_all_tasks_blocked()
    await client.send(client.codec.video(1000, avc_frame(True)))
    await wait_for_tags(publication, 2)
    assert not publication.ended.is_set() and not done.is_set()
    # A peer that stays silent for a whole timeout afterwards is still dropped, on time.
    mock_clock.jump(10)
    await done.wait()
    [closed] = closed_lines(rtmp_logs)
    assert closed.getMessage().endswith("reason=no data for 10 s")


SERVER_SCRIPT = """
import logging, sys, trio
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import FakeGate

async def main():
    server = RtmpServer(FakeGate(sys.argv[1]), "127.0.0.1", 0, read_timeout=float(sys.argv[2]))
    async with trio.open_nursery() as nursery:
        port = await nursery.start(server.run)
        print(f"port {port}", flush=True)

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
trio.run(main)
"""


def push_command(port: int) -> list[str]:
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-t", "6",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "15",
        "-f", "flv", f"rtmp://127.0.0.1:{port}/live/{KEY}",
    ]  # fmt: skip


class _Lines:
    """Lines of a pipe, read by a thread, waited for with a deadline."""

    def __init__(self, pipe: object) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            self._queue.put(line.rstrip("\n"))

    def wait(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if match := re.search(pattern, line):
                    return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))
            with contextlib.suppress(queue.Empty):
                self.seen.append(self._queue.get(timeout=left))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_sigstop_longer_than_the_read_timeout_keeps_the_publisher() -> None:
    read_timeout = 1.5
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, KEY, str(read_timeout)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    ffmpeg: subprocess.Popen[bytes] | None = None
    try:
        out, log = _Lines(server.stdout), _Lines(server.stderr)
        port = int(out.wait(r"^port (\d+)$", 30).group(1))
        ffmpeg = subprocess.Popen(push_command(port), stderr=subprocess.PIPE)
        log.wait(r"rtmp publish started", 30)
        server.send_signal(signal.SIGSTOP)
        time.sleep(read_timeout * 2.5)  # the pause under test, not a wait for readiness
        server.send_signal(signal.SIGCONT)
        _, ffmpeg_errors = ffmpeg.communicate(timeout=60)
        reason = log.wait(r"rtmp connection closed peer=\S+ reason=(.*)$", 30).group(1)
        assert reason == "the publisher deleted its stream", "\n".join(log.seen)
        assert ffmpeg.returncode == 0, ffmpeg_errors.decode()
    finally:
        for process in (ffmpeg, server):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
                process.wait()

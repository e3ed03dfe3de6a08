"""Stopping a transcoder process politely, then firmly: close stdin → SIGINT → kill."""

from __future__ import annotations

import signal
import sys

import trio

from owncastd.hls.ffmpeg_process import FfmpegProcess, TranscoderLog

READS_STDIN_THEN_EXITS = "import sys; sys.stdin.buffer.read(); print('bye', file=sys.stderr)"
IGNORES_STDIN_EXITS_ON_SIGINT = (
    "import sys, time\nsys.stdin.close()\nprint('ready', file=sys.stderr, flush=True)\n"
    "time.sleep(60)"
)
IGNORES_EVERYTHING = (
    "import signal, sys, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nsys.stdin.close()\n"
    "print('ready', file=sys.stderr, flush=True)\ntime.sleep(60)"
)


async def started(argv_script: str) -> FfmpegProcess:
    """Start a fake transcoder and wait until it has set itself up (it prints 'ready')."""
    process = await FfmpegProcess.start(
        [sys.executable, "-c", argv_script], {}, TranscoderLog(None)
    )
    stderr = process._process.stderr
    assert stderr is not None
    seen = b""
    while b"ready" not in seen:
        seen += await stderr.receive_some(100)
    return process


async def test_closing_stdin_lets_it_finish_and_stderr_is_logged(tmp_path):
    log_path = tmp_path / "transcoder.log"
    transcoder_log = TranscoderLog(log_path)
    process = await FfmpegProcess.start(
        [sys.executable, "-c", READS_STDIN_THEN_EXITS], {}, transcoder_log
    )
    assert await process.write(b"x" * 100_000)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(process.pump_stderr)
        assert await process.stop() == 0
    transcoder_log.close()
    assert log_path.read_text() == "bye\n"


async def test_sigint_when_stdin_close_is_not_enough():
    process = await started(IGNORES_STDIN_EXITS_ON_SIGINT)
    assert await process.stop(stdin_grace=0.3, sigint_grace=10) == -signal.SIGINT


async def test_sigint_stops_it_even_when_the_daemon_ignores_sigint():
    """Started with `nohup … &`, the daemon ignores SIGINT; its transcoder must not inherit that."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = await started(IGNORES_STDIN_EXITS_ON_SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert await process.stop(stdin_grace=0.3, sigint_grace=10) == -signal.SIGINT


async def test_kill_when_sigint_is_ignored(autojump_clock):
    process = await started(IGNORES_EVERYTHING)
    assert await process.stop() == -signal.SIGKILL


async def test_write_reports_a_dead_process():
    alive = await FfmpegProcess.start(
        [sys.executable, "-c", READS_STDIN_THEN_EXITS], {}, TranscoderLog(None)
    )
    assert await alive.write(b"x" * 65536)  # a live process takes the write
    assert await alive.stop(stdin_grace=5) == 0
    process = await FfmpegProcess.start([sys.executable, "-c", "pass"], {}, TranscoderLog(None))
    await process.wait()
    ok = True
    for _ in range(20):  # the pipe may take a write or two to notice
        ok = await process.write(b"x" * 65536)
        if not ok:
            break
    assert not ok


async def test_a_write_the_pipe_takes_at_once_needs_no_scheduling_round_trip():
    process = await FfmpegProcess.start(
        [sys.executable, "-c", READS_STDIN_THEN_EXITS], {}, TranscoderLog(None)
    )
    # Under a cancelled scope any checkpoint would raise Cancelled: this write has none
    # (ingest writes every FLV batch to ffmpeg; a yield each time was a loop pass each).
    written = False
    with trio.CancelScope() as scope:
        scope.cancel()
        written = await process.write(b"x" * 4096)
    assert written and not scope.cancelled_caught
    # A write bigger than the pipe still completes (the rest waits for ffmpeg to read).
    assert await process.write(b"y" * (1 << 20))
    assert await process.stop(stdin_grace=5) == 0

"""One supervised ffmpeg process: FLV in on stdin, stderr to the log, a polite stop.

Stopping is close stdin → wait → SIGINT → wait → kill, each wait bounded, so a wedged ffmpeg
can never hold the daemon up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import trio

from owncastd.core.stop_budget import SIGINT_GRACE, STDIN_CLOSE_GRACE
from owncastd.logs import RotatingTextFile

log = logging.getLogger("owncastd.transcoder")

MAX_STDERR_LINE = 4096


class TranscoderLog:
    """Appends ffmpeg's stderr lines to `transcoder.log` (and the daemon log)."""

    def __init__(self, path: Path | None) -> None:
        # Size-rotated like owncast.log; a full disk drops lines instead of failing the stream.
        self._file: RotatingTextFile | None = None
        if path is not None:
            self._file = RotatingTextFile(path)
        self.last_line = "(no output)"  # the last thing ffmpeg said, to explain a failure

    def line(self, text: str) -> None:
        """Record one line of ffmpeg output."""
        log.warning("ffmpeg: %s", text)
        if text.strip() != "Conversion failed!":  # ffmpeg's sign-off says nothing about why
            self.last_line = text
        if self._file is not None:
            self._file.write_line(text)

    def close(self) -> None:
        """Close the log file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _default_sigint() -> None:
    """In the child before exec: SIGINT does its default again, so the polite stop works even
    when the daemon was started with SIGINT ignored (`nohup … &`, some supervisors)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class FfmpegProcess:
    """A running ffmpeg whose stdin we feed."""

    def __init__(self, process: trio.Process, transcoder_log: TranscoderLog) -> None:
        self._process = process
        self._log = transcoder_log

    @classmethod
    async def start(
        cls,
        argv: Sequence[str],
        env: Mapping[str, str],
        transcoder_log: TranscoderLog,
        pass_fds: Sequence[int] = (),
    ) -> FfmpegProcess:
        """Start ffmpeg with piped stdin/stderr (and `pass_fds` open in it)."""
        process = await trio.lowlevel.open_process(
            list(argv),
            pass_fds=tuple(pass_fds),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            preexec_fn=_default_sigint,
        )
        log.info("ffmpeg started pid=%d", process.pid)
        return cls(process, transcoder_log)

    @property
    def returncode(self) -> int | None:
        """The exit status, or None while running."""
        return self._process.returncode

    async def write(self, data: bytes) -> bool:
        """Write to stdin; False once ffmpeg no longer reads (it exited or closed the pipe).

        What the pipe takes at once goes by one non-blocking `os.write`, with no scheduling
        round trip (trio's `send_all` always yields first: one more event-loop pass per
        write, a large share of ingest's CPU, issue 17); only the rest waits for the pipe.
        The caller's loop yields anyway (it awaits the next tag).
        """
        stdin = self._process.stdin
        assert stdin is not None
        sent = 0
        if isinstance(stdin, trio.lowlevel.FdStream):  # always, on Unix
            try:
                sent = os.write(stdin.fileno(), data)
            except BlockingIOError:
                pass
            except OSError:  # EPIPE: ffmpeg is gone; EBADF: stdin was closed
                return False
            if sent == len(data):
                return True
        try:
            await stdin.send_all(memoryview(data)[sent:])
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return False
        return True

    async def pump_stderr(self) -> None:
        """Forward stderr lines to the transcoder log until ffmpeg closes it."""
        stderr = self._process.stderr
        assert stderr is not None
        buffer = b""
        while True:
            try:
                chunk = await stderr.receive_some(65536)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                break
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                self._emit(line)
            if len(buffer) > MAX_STDERR_LINE:
                self._emit(buffer)
                buffer = b""
        if buffer:
            self._emit(buffer)

    def _emit(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        if text.strip():
            self._log.line(text[:MAX_STDERR_LINE])

    async def wait(self) -> int:
        """Wait for ffmpeg to exit; return its status."""
        return await self._process.wait()

    async def close_stdin(self) -> None:
        """Signal end of input; ffmpeg then flushes its last segment and exits."""
        stdin = self._process.stdin
        if stdin is not None:
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                await stdin.aclose()

    async def stop(
        self, stdin_grace: float = STDIN_CLOSE_GRACE, sigint_grace: float = SIGINT_GRACE
    ) -> int:
        """Stop politely, escalating: close stdin, then SIGINT, then kill. Shielded, bounded."""
        with trio.CancelScope(shield=True):
            await self.close_stdin()
            with trio.move_on_after(stdin_grace):
                return await self._process.wait()
            log.warning("ffmpeg did not exit after stdin closed; sending SIGINT")
            self._process.send_signal(signal.SIGINT)
            with trio.move_on_after(sigint_grace):
                return await self._process.wait()
            log.warning("ffmpeg did not exit after SIGINT; killing it")
            self._process.kill()
            return await self._process.wait()
        raise AssertionError("unreachable: the shielded block always returns")

"""Run a real owncastd subprocess and push real video into it with ffmpeg.

The daemon is started on free ports in a temporary data directory; readiness is its
`ready http=… rtmp=…` log line, never a fixed sleep. Its log is kept so failing tests can show it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bcrypt
import httpx

ROOT = Path(__file__).resolve().parents[2]
OWNCASTD = Path(sys.executable).parent / "owncastd"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"
STREAM_KEY = "e2e-stream-key-1234"
ADMIN_PASSWORD = "e2e-admin-password"
READY = re.compile(r"ready http=(\d+) rtmp=(\d+)")


def wait_for(
    condition: Callable[[], object], timeout: float, what: str, log: Callable[[], str] = str
) -> object:
    """Poll `condition` until it returns something truthy; fail with `what` and the log."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except Exception as exc:  # retried until the deadline
            last_error = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} ({last_error})\n{log()}")


def write_config(data_dir: Path, *, latency: int = 0, variants: Sequence[str] = ()) -> Path:
    """A minimal config: a known key and admin password, low latency, given variants."""
    data_dir.mkdir(parents=True, exist_ok=True)
    password_hash = bcrypt.hashpw(ADMIN_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    text = (
        f'[admin]\npassword_hash = "{password_hash}"\n\n'
        f'[rtmp]\nip = "127.0.0.1"\n\n[[rtmp.stream_keys]]\nkey = "{STREAM_KEY}"\n'
        'comment = "e2e"\n\n'
        f'[web]\nip = "127.0.0.1"\n\n[video]\nlatency_level = {latency}\n\n'
    )
    text += "\n".join(variants)
    path = data_dir / "owncast.toml"
    path.write_text(text)
    return path


class DaemonProcess:
    """An owncastd subprocess with its log captured."""

    def __init__(
        self,
        data_dir: Path,
        *,
        extra_args: Sequence[str] = (),
        env: dict | None = None,
        preexec: Callable[[], None] | None = None,
    ):
        self.data_dir = data_dir
        self.http_port = 0
        self.rtmp_port = 0
        argv = [
            str(OWNCASTD),
            "--data-dir", str(data_dir),
            "--webserverport", "0",
            "--rtmpport", "0",
            *extra_args,
        ]  # fmt: skip
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            text=True,
            preexec_fn=preexec,  # e.g. lower a resource limit in the child only
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            ready = READY.search(line)
            if ready:
                self.http_port, self.rtmp_port = int(ready[1]), int(ready[2])
                self._ready.set()

    def log(self) -> str:
        """The daemon's output so far (for failure messages)."""
        return "---- owncastd log ----\n" + "\n".join(self.lines[-200:])

    def wait_ready(self, timeout: float = 30) -> DaemonProcess:
        """Block until the `ready` line (fails with the log if the daemon exits first)."""
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._reader.join(timeout=2)
                raise AssertionError(f"owncastd did not become ready\n{self.log()}")
        return self

    @property
    def url(self) -> str:
        """Base URL of the web server."""
        return f"http://127.0.0.1:{self.http_port}"

    def rtmp_url(self, key: str = STREAM_KEY) -> str:
        """Where to publish."""
        return f"rtmp://127.0.0.1:{self.rtmp_port}/live/{key}"

    def get(self, path: str, **kwargs) -> httpx.Response:
        """GET a path on the daemon."""
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def status(self) -> dict:
        """`/api/status` as a dict."""
        return self.get("/api/status").json()

    def admin_status(self) -> dict:
        """`/api/admin/status` as a dict."""
        return self.get("/api/admin/status", auth=("admin", ADMIN_PASSWORD)).json()

    def wait_online(self, online: bool = True, timeout: float = 40) -> None:
        """Wait for `/api/status.online` to become `online`."""
        wait_for(lambda: self.status()["online"] is online, timeout, f"online={online}", self.log)

    def stop(self, timeout: float = 25) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(
                    f"owncastd did not stop within {timeout}s\n{self.log()}"
                ) from None
        self._reader.join(timeout=5)
        return self.process.returncode


class Publisher:
    """ffmpeg pushing a synthetic live stream over RTMP."""

    def __init__(
        self,
        rtmp_url: str,
        *,
        size: str = "640x360",
        rate: int = 30,
        seconds: float | None = None,
        audio: bool = True,
    ) -> None:
        argv = [FFMPEG, "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}"]  # fmt: skip
        if audio:
            argv += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        if seconds is not None:
            argv += ["-t", str(seconds)]
        argv += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                 "-pix_fmt", "yuv420p", "-g", str(rate)]  # fmt: skip
        if audio:
            argv += ["-c:a", "aac", "-b:a", "96k"]
        argv += ["-f", "flv", rtmp_url]
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def stop(self) -> None:
        """Stop pushing, as an encoder does (q on stdin is not available: SIGINT)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait(self, timeout: float) -> int:
        """Wait for ffmpeg to exit on its own; returns its exit code."""
        return self.process.wait(timeout)

    def stderr(self) -> str:
        """ffmpeg's error output (after it exited)."""
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace")


def probe_streams(path: Path) -> list[dict]:
    """ffprobe's stream list for a media file."""
    import json

    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "stream=codec_name,codec_type,width,height",
         "-of", "json", str(path)],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)["streams"]

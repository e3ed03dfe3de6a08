"""Shared helpers for the benchmarks: a real owncastd subprocess, CPU and port utilities.

Not a test fixture: nothing here asserts. `Owncastd` starts the daemon from the repo's venv on
free ports (port 0) in a data directory with a config we write, waits for its
`ready http=… rtmp=…` line, and exposes the psutil handles the benches read CPU from.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import bcrypt
import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"
STREAM_KEY = "bench-stream-key-0001"
READY = re.compile(r"ready http=(\d+) rtmp=(\d+)")


def owncastd_binary() -> Path:
    """`.venv/bin/owncastd` of this repo, else the one beside the running interpreter."""
    venv = ROOT / ".venv" / "bin" / "owncastd"
    return venv if venv.exists() else Path(sys.executable).parent / "owncastd"


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU-seconds of one process (its children not included)."""
    times = proc.cpu_times()
    return float(times.user + times.system)


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1 (for tools that cannot take 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(proc: psutil.Process, port: int, timeout: float = 15) -> None:
    """Block until `proc` has a TCP socket listening on `port` (no probe connection)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.status() == psutil.STATUS_ZOMBIE or not proc.is_running():
            raise RuntimeError(f"process {proc.pid} exited before listening on {port}")
        for conn in proc.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return
        time.sleep(0.05)
    raise RuntimeError(f"process {proc.pid} did not listen on {port} within {timeout}s")


def write_config(data_dir: Path, *, latency: int, variants: str) -> Path:
    """A minimal owncast.toml: known stream key, throwaway admin password, given variants."""
    data_dir.mkdir(parents=True, exist_ok=True)
    password_hash = bcrypt.hashpw(b"bench-admin-password", bcrypt.gensalt(rounds=4)).decode()
    text = (
        f'[admin]\npassword_hash = "{password_hash}"\n\n'
        f'[rtmp]\nip = "127.0.0.1"\n\n[[rtmp.stream_keys]]\nkey = "{STREAM_KEY}"\n'
        'comment = "bench"\n\n'
        f'[web]\nip = "127.0.0.1"\n\n[video]\nlatency_level = {latency}\n\n{variants}'
    )
    path = data_dir / "owncast.toml"
    path.write_text(text)
    return path


class Owncastd:
    """An owncastd subprocess on free ports; use as a context manager (stops on exit)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.http_port = 0
        self.rtmp_port = 0
        self.lines: list[str] = []
        self._ready = threading.Event()
        argv = [
            str(owncastd_binary()),
            "--data-dir", str(data_dir),
            "--webserverport", "0",
            "--rtmpport", "0",
        ]  # fmt: skip
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.process = psutil.Process(self.popen.pid)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.http = httpx.Client(timeout=5)

    def __enter__(self) -> Owncastd:
        return self.wait_ready()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))
            ready = READY.search(line)
            if ready:
                self.http_port, self.rtmp_port = int(ready[1]), int(ready[2])
                self._ready.set()

    def log(self, last: int = 60) -> str:
        """The daemon's latest output lines (for error messages)."""
        return "\n".join(self.lines[-last:])

    def wait_ready(self, timeout: float = 30) -> Owncastd:
        """Block until the `ready` line; raises with the log if the daemon exits first."""
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.1):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"owncastd did not become ready\n{self.log()}")
        return self

    @property
    def url(self) -> str:
        """Base URL of the web server."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def rtmp_url(self) -> str:
        """Where to publish with the bench stream key."""
        return f"rtmp://127.0.0.1:{self.rtmp_port}/live/{STREAM_KEY}"

    def get(self, path: str) -> httpx.Response:
        """GET a path on the daemon (one keep-alive connection)."""
        return self.http.get(self.url + path)

    def wait_online(self, timeout: float = 40, interval: float = 0.25) -> float:
        """Poll `/api/status` until online; returns the monotonic time it was first seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                break
            try:
                if self.get("/api/status").json().get("online"):
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            time.sleep(interval)
        raise RuntimeError(f"stream did not go online within {timeout}s\n{self.log()}")

    def own_cpu(self) -> float:
        """CPU-seconds of the daemon's own Python process (ffmpeg children excluded)."""
        return cpu_seconds(self.process)

    def transcoder(self) -> psutil.Process | None:
        """The live-transcode ffmpeg child (the one reading FLV from `pipe:0`), if running."""
        for child in self.process.children():
            try:
                if "pipe:0" in child.cmdline():
                    return child
            except psutil.Error:
                continue
        return None

    def stop(self, timeout: float = 25) -> None:
        """SIGTERM, wait, kill if it hangs."""
        self.http.close()
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._reader.join(timeout=5)


class Progress:
    """Reads an ffmpeg's `-progress pipe:1` output in a thread, stamping each report.

    Start ffmpeg with `stdout=subprocess.PIPE` and `-progress pipe:1 -stats_period 0.1`.
    `reports` holds `(monotonic time the report arrived, out_time_us, total_size)`.
    """

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.reports: list[tuple[float, int, int]] = []
        self._popen = popen
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._popen.stdout is not None
        fields: dict[str, str] = {}
        for raw in self._popen.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            fields[key] = value
            if key == "progress":
                now = time.monotonic()
                try:
                    out_us = int(fields.get("out_time_us", ""))
                    size = int(fields.get("total_size", ""))
                except ValueError:
                    continue
                self.reports.append((now, out_us, size))

    @property
    def total_size(self) -> int:
        """Bytes the muxer had written at the latest report (0 before the first)."""
        return self.reports[-1][2] if self.reports else 0


def stop_process(popen: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop an ffmpeg we started: SIGINT (it flushes), then kill after `timeout`."""
    if popen.poll() is None:
        popen.send_signal(signal.SIGINT)
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()

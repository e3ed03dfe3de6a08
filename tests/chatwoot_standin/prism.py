"""Prism (`@stoplight/prism-cli`, pinned in tools/prism/) in proxy mode in front of the stand-in.

`prism proxy SPEC UPSTREAM --errors` checks each request against the seed Swagger (fixed copy,
`swagger.py`) before forwarding it, and each answer after: a violation is answered with an
error status and a `sl-violations` header instead of the upstream answer, so a client request
that breaks Chatwoot's published API fails the test. Prism starts in about 2 s: start it once
per session.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / ".node" / "prism" / "node_modules" / ".bin" / "prism"
SEED = Path(__file__).resolve().parent / "seed" / "chatwoot-swagger.json.txt"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A port free on 127.0.0.1 now (Prism takes no port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Prism:
    """A running Prism proxy: `url`, `log()`, `close()`."""

    def __init__(self, spec: Path, upstream: str, log_path: Path) -> None:
        if not PRISM.exists():
            raise RuntimeError("Prism is missing: run python3 tools/bootstrap.py test")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = log_path
        self._log = log_path.open("w")
        argv = [str(PRISM), "proxy", str(spec), upstream, "--errors",
                "-h", "127.0.0.1", "-p", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Prism did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        """The end of Prism's output (for failure messages)."""
        return self._log_path.read_text(errors="replace")[-5000:]

    def log_lines(self) -> list[str]:
        """All of Prism's output so far, by line."""
        return self._log_path.read_text(errors="replace").splitlines()

    def close(self) -> None:
        """Stop Prism."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

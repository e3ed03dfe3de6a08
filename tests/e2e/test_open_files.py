"""owncastd under a low open-files limit, flooded with idle connections: the attack run's
1,100 connections under a 1,024-descriptor limit made `accept` fail in a loop and an EMFILE in
the hardware sampler ended the process. Now the web port's connection cap is scaled to the
limit (the excess gets a quick 503), and the daemon serves again once the flood is gone."""

from __future__ import annotations

import resource
import selectors
import socket
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from owncastd.http.transport.limits import max_connections_for
from tests.e2e.harness import DaemonProcess, wait_for, write_config

pytestmark = pytest.mark.e2e

LIMIT = 256  # soft and hard, in the daemon only
FLOOD = 400


def _low_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


def _count_refusals(conns: list[socket.socket], expected: int, within: float) -> int:
    """How many of `conns` are answered with a 503 (waiting until `expected` or `within`)."""
    refused = 0
    with selectors.DefaultSelector() as selector:
        for conn in conns:
            selector.register(conn, selectors.EVENT_READ)
        deadline = time.monotonic() + within
        while refused < expected and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.2):
                conn = key.fileobj
                assert isinstance(conn, socket.socket)
                selector.unregister(conn)
                refused += conn.recv(64).startswith(b"HTTP/1.1 503")
    return refused


def test_a_connection_flood_under_a_low_fd_limit_is_survived(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_config(data_dir)
    daemon = DaemonProcess(data_dir, preexec=_low_limit).wait_ready()
    try:
        assert any(f"open files limit soft={LIMIT}" in line for line in daemon.lines), daemon.log()
        address = ("127.0.0.1", daemon.http_port)
        with ExitStack() as held:
            conns = [held.enter_context(socket.create_connection(address)) for _ in range(FLOOD)]
            expected = FLOOD - max_connections_for(LIMIT)
            assert _count_refusals(conns, expected, within=8) == expected, daemon.log()
            assert daemon.process.poll() is None, daemon.log()
        # The flood is gone: the daemon is alive and serves again.
        wait_for(lambda: daemon.get("/api/ping").status_code == 200, 15, "/api/ping", daemon.log)
        assert any("http connections refused" in line for line in daemon.lines), daemon.log()
        assert not any("Traceback" in line for line in daemon.lines), daemon.log()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()

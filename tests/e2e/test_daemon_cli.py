"""The `owncastd` command as an admin meets it: first start, bad config, missing ffmpeg,
busy port, check-config, readiness notification and a graceful stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import time

import httpx
import pytest

from tests.e2e.harness import (
    OWNCASTD,
    STREAM_KEY,
    DaemonProcess,
    Publisher,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.e2e


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 30
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(OWNCASTD), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def test_first_start_generates_secrets_and_hands_them_over_once_in_a_file(tmp_path):
    data = tmp_path / "data"
    first = DaemonProcess(data).wait_ready()  # stderr is a pipe, as under systemd
    rtmp_url = f"rtmp://<this host>:{first.rtmp_port}/live"  # the port bound, not 1935
    wait_for(lambda: any(rtmp_url in line for line in first.lines), 10, rtmp_url, first.log)
    web = f"http://<this host>:{first.http_port}/"
    assert any(line.startswith(f"Watch at {web}") for line in first.lines), first.log()
    assert first.stop() == 0
    output = "\n".join(first.lines)
    credentials = data / "initial-credentials.txt"
    assert f"generated credentials written to {credentials}" in output
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    written = credentials.read_text()
    password = re.search(r"admin password : (\S+)", written)
    key = re.search(r"stream key     : (\S+)", written)
    assert password and key, written
    assert len(password[1]) >= 20 and len(key[1]) >= 30
    assert password[1] not in output and key[1] not in output  # never in the daemon's output
    config = data / "owncast.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    text = config.read_text()
    assert key[1] in text and password[1] not in text and "$2" in text  # hashed password
    logged = (data / "logs" / "owncast.log").read_text()
    assert password[1] not in logged and key[1] not in logged

    credentials.unlink()  # as the admin is told to
    second = DaemonProcess(data).wait_ready()
    assert (
        httpx.get(
            second.url + "/api/admin/status", auth=("admin", password[1]), timeout=10
        ).status_code
        == 200
    )
    assert second.stop() == 0
    again = "\n".join(second.lines)
    assert "generated credentials" not in again and "To go live" not in again
    assert password[1] not in again and key[1] not in again
    assert not credentials.exists()


def test_bad_config_lists_every_problem_and_exits_2(tmp_path):
    config = tmp_path / "owncast.toml"
    config.write_text('[web]\nport = 70000\nip = "nowhere"\n[video]\nlatency_level = 9\n[chatt]\n')
    config.chmod(0o600)
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    problems = result.stderr.strip().splitlines()
    assert problems == [
        "owncast.toml: [web] port: must be 0..65535 (got 70000)",
        'owncast.toml: [web] ip: must be an IP address (got "nowhere")',
        "owncast.toml: [video] latency_level: must be 0..4 (got 9)",
        "owncast.toml: [chatt]: unknown section (did you mean [chat]?)",
    ]
    assert "Traceback" not in result.stderr


def test_check_config_prints_effective_config_without_secrets(tmp_path):
    write_config(tmp_path)
    result = run_cli("check-config", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "latency_level = 0" in result.stdout
    assert STREAM_KEY in (tmp_path / "owncast.toml").read_text()  # the key it must not print
    assert STREAM_KEY not in result.stdout
    assert "$2b$" not in result.stdout and "redacted" in result.stdout


def test_missing_ffmpeg_is_one_clear_line(tmp_path):
    write_config(tmp_path)
    result = run_cli(
        "--data-dir", str(tmp_path), env={"OWNCAST_FFMPEG": str(tmp_path / "no-ffmpeg")}
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert "ffmpeg" in lines[-1] and "no-ffmpeg" in lines[-1]
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_clear_line(tmp_path):
    write_config(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(
            "--data-dir", str(tmp_path), "--webserverport", str(port), "--rtmpport", "0"
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"127.0.0.1:{port}" in last and "HTTP" in last


def test_ready_notification_and_graceful_stop_while_live(tmp_path):
    write_config(tmp_path, latency=0)
    notify_path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(notify_path))
        notify.settimeout(30)
        daemon = DaemonProcess(tmp_path, env={"NOTIFY_SOCKET": str(notify_path)}).wait_ready()
        assert notify.recv(4096).startswith(b"READY=1")
        publisher = Publisher(daemon.rtmp_url())
        try:
            daemon.wait_online()
            started = time.monotonic()
            daemon.process.send_signal(signal.SIGINT)
            assert daemon.process.wait(30) == 0, daemon.log()
            assert time.monotonic() - started < 20
            assert b"STOPPING=1" in notify.recv(4096)
        finally:
            publisher.stop()
    wait_for(lambda: "stopped" in daemon.lines[-1], 5, "the stopped line", daemon.log)
    # ffmpeg was stopped with the daemon: no transcoder is left behind.
    leftover = subprocess.run(
        ["pgrep", "-f", f"{tmp_path}/hls"], capture_output=True, text=True
    ).stdout
    assert leftover == ""

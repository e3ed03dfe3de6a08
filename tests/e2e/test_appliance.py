"""owncastd as an appliance, end to end on a real daemon: systemd notifications and watchdog,
reload during a live stream, backup → wipe → restore, SIGKILL mid-stream, the data-dir lock,
and logs without secrets."""

from __future__ import annotations

import itertools
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import tomlkit
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.e2e.harness import (
    ADMIN_PASSWORD,
    OWNCASTD,
    STREAM_KEY,
    DaemonProcess,
    Publisher,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.e2e
ADMIN = ("admin", ADMIN_PASSWORD)


class NotifySocket:
    """A fake `$NOTIFY_SOCKET`: collects datagrams on a thread with their arrival times."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[tuple[float, str]] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(path))
        self._sock.settimeout(0.1)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while not self._done.is_set():
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def texts(self, since: float = 0) -> list[str]:
        return [text for when, text in self.messages if when >= since]

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        self._sock.close()


def edit_config(data_dir: Path, **changes: object) -> None:
    """Set `section.key` values (written as `section__key=…`) in the daemon's owncast.toml."""
    path = data_dir / "owncast.toml"
    doc = tomlkit.parse(path.read_text())
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        doc.setdefault(section, tomlkit.table())[key] = value
    path.write_text(tomlkit.dumps(doc))


def segments(daemon: DaemonProcess) -> list[str]:
    text = daemon.get("/hls/0/stream.m3u8").text
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def lines_matching(daemon: DaemonProcess, pattern: str) -> list[str]:
    return [line for line in daemon.lines if re.search(pattern, line)]


def logged(daemon: DaemonProcess, pattern: str, timeout: float = 10) -> None:
    """Wait for a log line (the daemon's output is read by a thread, a moment behind)."""
    wait_for(
        lambda: lines_matching(daemon, pattern), timeout, f"a log line /{pattern}/", daemon.log
    )


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(OWNCASTD), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_notify_ready_watchdog_reloading_stopping(tmp_path):
    write_config(tmp_path)
    notify = NotifySocket(tmp_path / "notify.sock")
    env = {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "400000"}
    daemon = DaemonProcess(tmp_path, env=env).wait_ready()
    try:
        wait_for(lambda: "READY=1\nSTATUS=serving" in notify.texts(), 10, "READY", daemon.log)
        since = time.monotonic()
        wait_for(
            lambda: notify.texts(since).count("WATCHDOG=1") >= 5, 5, "watchdog pets", daemon.log
        )
        pets = [when for when, text in notify.messages if text == "WATCHDOG=1" and when >= since]
        gaps = [b - a for a, b in itertools.pairwise(pets)]
        assert max(gaps) < 0.4  # well inside WATCHDOG_USEC (pets every 0.2 s)

        reload_at = time.monotonic()
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reloaded" in daemon.log(), 10, "reload", daemon.log)
        after = [t for t in notify.texts(reload_at) if t != "WATCHDOG=1"]
        assert re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=\d+", after[0]), after
        assert after[1] == "READY=1\nSTATUS=serving"
        usec = int(after[0].split("=")[-1])
        assert abs(usec / 1e6 - time.clock_gettime(time.CLOCK_MONOTONIC)) < 10

        stop_at = time.monotonic()
        assert daemon.stop() == 0
        assert "STOPPING=1" in notify.texts(stop_at)
    finally:
        daemon.stop()
        notify.close()


def test_reload_during_a_live_stream(tmp_path):
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        wait_for(lambda: len(segments(daemon)) >= 2, 30, "segments", daemon.log)

        # A good config: applies at once, the stream goes on.
        before = segments(daemon)[-1]
        edit_config(tmp_path, server__name="Reloaded live", video__latency_level=3)
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(
            lambda: daemon.get("/api/config").json()["name"] == "Reloaded live",
            10,
            "the new name",
            daemon.log,
        )
        logged(daemon, r"config reloaded origin=SIGHUP changed=.*server\.name")
        logged(daemon, r"config applies from the next stream keys=video\.latency")
        wait_for(lambda: segments(daemon)[-1] != before, 20, "new segments", daemon.log)

        # A broken config: rejected whole, every problem logged, nothing changes.
        edit_config(tmp_path, server__name="Never applied", video__latency_level=9)
        with (tmp_path / "owncast.toml").open("a") as config:
            config.write("\n[chatt]\n")
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: lines_matching(daemon, "reload rejected"), 10, "rejection", daemon.log)
        logged(daemon, r"problem: owncast.toml: \[video\] latency_level")
        logged(daemon, r"problem: owncast.toml: \[chatt\]: unknown section")
        assert daemon.get("/api/config").json()["name"] == "Reloaded live"
        rejected = httpx.post(daemon.url + "/api/admin/config/reload", auth=ADMIN, timeout=10)
        assert rejected.status_code == 400 and len(rejected.json()["problems"]) == 2

        # A listener change: kept for the next restart, and said so. (The port comes from the
        # --rtmpport flag, which wins over the file at reload as at start; the address does not.)
        text = (tmp_path / "owncast.toml").read_text().replace("\n[chatt]\n", "\n")
        (tmp_path / "owncast.toml").write_text(text)
        edit_config(tmp_path, video__latency_level=0, rtmp__ip="0.0.0.0", rtmp__port=1)
        reloaded = httpx.post(daemon.url + "/api/admin/config/reload", auth=ADMIN, timeout=10)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["restartRequired"] == ["rtmp.ip"]
        logged(daemon, r"needs a restart key=rtmp\.ip running=127.0.0.1 configured")
        status = httpx.get(daemon.url + "/api/admin/daemon", auth=ADMIN, timeout=10).json()
        assert status["restartRequired"] == ["rtmp.ip"] and status["status"] == "ok"

        # Through all of it the stream never stopped: one transcoder, still online.
        assert daemon.status()["online"] is True and publisher.process.poll() is None
        assert len(lines_matching(daemon, "transcoder starting")) == 1
        assert not lines_matching(daemon, "stream stopped")
        before = segments(daemon)[-1]
        wait_for(lambda: segments(daemon)[-1] != before, 20, "segments after", daemon.log)
    finally:
        publisher.stop()
        daemon.stop()


def test_a_stream_key_added_by_reload_is_accepted(tmp_path):
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        path = tmp_path / "owncast.toml"
        doc = tomlkit.parse(path.read_text())
        doc["rtmp"]["stream_keys"].append({"key": "added-by-reload-123", "comment": "new"})
        path.write_text(tomlkit.dumps(doc))
        reloaded = httpx.post(daemon.url + "/api/admin/config/reload", auth=ADMIN, timeout=10)
        assert reloaded.json()["changed"] == ["rtmp.stream_keys"]
        publisher = Publisher(daemon.rtmp_url("added-by-reload-123"))
        try:
            daemon.wait_online()
        finally:
            publisher.stop()
    finally:
        daemon.stop()


async def register_and_say(daemon: DaemonProcess, name: str, body: str) -> dict:
    """A chat user who sends one message; returns the registration (id, accessToken)."""
    async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
        user = (await http.post("/api/chat/register", json={"displayName": name})).json()
    ws = await ChatWs.connect(daemon.http_port, user["accessToken"])
    assert not isinstance(ws, Refused), ws
    await ws.next_event("CONNECTED_USER_INFO")
    await ws.send_json({"type": "CHAT", "body": body})
    await ws.next_event("CHAT")  # the room echoes it once it is accepted
    await ws.aclose()
    return user


async def history(daemon: DaemonProcess, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
        return await http.get("/api/chat", params={"accessToken": token})


async def wait_saved(database: Path, body: str) -> None:
    """The chat message reached the database (the writer commits in the background)."""
    with trio.fail_after(10):
        while True:
            with sqlite3.connect(database) as conn:
                bodies = [row[0] for row in conn.execute("SELECT body FROM messages")]
            if any(body in text for text in bodies):
                return
            await trio.sleep(0.1)


async def test_backup_wipe_restore_round_trip(tmp_path):
    data = tmp_path / "data"
    write_config(data)
    edit_config(data, server__name="Before the backup")
    daemon = DaemonProcess(data).wait_ready()
    try:
        alice = await register_and_say(daemon, "alice", "kept in the backup")
        await wait_saved(data / "owncast.db", "kept in the backup")
        (data / "public" / "rules.txt").write_text("be nice")
        (data / "emoji" / "custom").mkdir(parents=True, exist_ok=True)
        (data / "emoji" / "custom" / "wave.gif").write_bytes(b"GIF89a-wave")
        made = run_cli("--data-dir", str(data), "backup", str(tmp_path / "backups"))
        assert made.returncode == 0, made.stderr
        archive = Path(made.stdout.strip())
        assert archive.parent == tmp_path / "backups" and archive.name.endswith(".tar.gz")
        refused = run_cli("--data-dir", str(data), "restore", str(archive))
        assert refused.returncode == 1
        assert (
            "refusing to restore" in refused.stderr
            and "in use by another owncastd" in refused.stderr
        )
    finally:
        assert daemon.stop() == 0, daemon.log()

    shutil.rmtree(data)
    restored = run_cli("--data-dir", str(data), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert (data / "owncast.toml").stat().st_mode & 0o077 == 0

    again = DaemonProcess(data).wait_ready()
    publisher = None
    try:
        assert again.get("/api/config").json()["name"] == "Before the backup"
        response = await history(again, alice["accessToken"])  # the token still works
        assert response.status_code == 200, again.log()
        assert [m["body"] for m in response.json()] == ["<p>kept in the backup</p>"]
        assert again.get("/public/rules.txt").text == "be nice"
        assert (data / "emoji" / "custom" / "wave.gif").read_bytes() == b"GIF89a-wave"
        assert again.admin_status()["online"] is False  # the admin password still works
        publisher = Publisher(again.rtmp_url(STREAM_KEY))  # and the stream key
        again.wait_online()
    finally:
        if publisher is not None:
            publisher.stop()
        assert again.stop() == 0, again.log()


def test_two_daemons_cannot_share_a_data_dir(tmp_path):
    write_config(tmp_path)
    first = DaemonProcess(tmp_path).wait_ready()
    try:
        second = DaemonProcess(tmp_path)
        assert second.process.wait(30) == 1
        second.stop()
        assert "in use by another owncastd" in second.log()
        assert f"pid {first.process.pid}" in second.log()
        assert first.status()["online"] is False  # the first one is unharmed
    finally:
        assert first.stop() == 0


async def test_sigkill_during_a_live_stream_then_a_clean_restart(tmp_path):
    data = tmp_path / "data"
    write_config(data, latency=0)
    daemon = DaemonProcess(data).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        bob = await register_and_say(daemon, "bob", "said while live")
        await wait_saved(data / "owncast.db", "said while live")
        wait_for(lambda: len(segments(daemon)) >= 2, 30, "segments", daemon.log)
        daemon.process.send_signal(signal.SIGKILL)
        assert daemon.process.wait(10) == -signal.SIGKILL
    finally:
        publisher.stop()
        if daemon.process.poll() is None:
            daemon.process.kill()
    # The orphaned transcoder sees its stdin close and exits; nothing holds the data dir.
    wait_for(
        lambda: subprocess.run(["pgrep", "-f", f"{data}/hls"], capture_output=True).returncode,
        15,
        "the old ffmpeg to exit",
    )
    restarted = DaemonProcess(data).wait_ready()
    publisher = Publisher(restarted.rtmp_url())
    try:
        response = await history(restarted, bob["accessToken"])
        assert [m["body"] for m in response.json()] == ["<p>said while live</p>"]
        restarted.wait_online()
        assert restarted.get("/api/healthz").json()["status"] == "ok"
    finally:
        publisher.stop()
        assert restarted.stop() == 0, restarted.log()
    with sqlite3.connect(data / "owncast.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_secrets_never_reach_any_log(tmp_path):
    data = tmp_path / "data"
    write_config(data, latency=0)
    daemon = DaemonProcess(data, extra_args=["--enableVerboseLogging"]).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    token = ""
    try:
        daemon.wait_online()
        wrong = Publisher(daemon.rtmp_url(STREAM_KEY + "-wrong"), seconds=2)
        wrong.wait(30)
        assert daemon.admin_status()["online"] is True
        user = await register_and_say(daemon, "carol", "hello")
        token = user["accessToken"]
        assert (await history(daemon, token)).status_code == 200
        async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
            assert (await http.get("/api/admin/daemon", auth=ADMIN)).status_code == 200
            wrong_login = await http.get("/api/admin/status", auth=("admin", "wrong"))
            assert wrong_login.status_code == 401
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: lines_matching(daemon, "config reloaded"), 10, "reload", daemon.log)
    finally:
        publisher.stop()
        assert daemon.stop() == 0
    password_hash = re.search(r'password_hash = "([^"]+)"', (data / "owncast.toml").read_text())
    assert password_hash
    logs = {
        "stdout/stderr": "\n".join(daemon.lines),
        **{path.name: path.read_text() for path in (data / "logs").iterdir()},
    }
    assert {"owncast.log", "transcoder.log"} <= set(logs)
    assert re.search(r"http.access: .*\"GET /api/status 1.1\" 200", logs["owncast.log"])
    assert re.search(r"DEBUG ", logs["owncast.log"])
    for name, text in logs.items():
        for secret in (STREAM_KEY, ADMIN_PASSWORD, password_hash[1], token):
            assert secret not in text, f"a secret is in {name}"


def test_journald_lines_have_no_timestamps_but_the_file_does(tmp_path):
    write_config(tmp_path)
    daemon = DaemonProcess(tmp_path, env={"JOURNAL_STREAM": "8:12345"}).wait_ready()
    assert daemon.stop() == 0
    ready = next(line for line in daemon.lines if "ready http=" in line)
    assert ready.startswith("INFO owncastd.daemon: ready http=")
    logged = (tmp_path / "logs" / "owncast.log").read_text()
    assert "http.access" not in logged  # access lines only with --enableVerboseLogging
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO owncastd.daemon: ready", logged, re.M
    )


def test_restore_database_flag_is_owncasts_spelling(tmp_path):
    data = tmp_path / "data"
    write_config(data)
    daemon = DaemonProcess(data).wait_ready()
    assert daemon.stop() == 0
    made = run_cli("--data-dir", str(data), "backup", str(tmp_path / "b.tar.gz"))
    assert made.returncode == 0, made.stderr
    (data / "owncast.db").unlink()
    restored = run_cli("--data-dir", str(data), "--restoreDatabase", str(tmp_path / "b.tar.gz"))
    assert restored.returncode == 0, restored.stderr
    assert (data / "owncast.db").is_file()
    (aside,) = [p for p in data.iterdir() if p.name.startswith("pre-restore-")]
    assert (aside / "owncast.toml").is_file()  # what it replaced is kept

"""Data at rest and at start (issue 16, findings 9 and 12), against the real `owncastd`.

Files are private to the daemon's user (0700 directories, 0600 files) even when started with a
0022 umask as `bin/owncastd` is; the database keeps no token in clear. A damaged database, a
destroyed header or an emptied `owncast.toml` beside a populated database each stop the start
with one clear line (no traceback, no silent first start); a healthy copy starts.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import ADMIN_PASSWORD, OWNCASTD, DaemonProcess, wait_for, write_config

pytestmark = pytest.mark.e2e

LOCAL = {"OWNCAST_WEB_IP": "127.0.0.1", "OWNCAST_RTMP_IP": "127.0.0.1"}
ADMIN = ("admin", ADMIN_PASSWORD)


def start(data: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run owncastd on `data` expecting it to refuse (it must exit on its own)."""
    return subprocess.run(
        [str(OWNCASTD), "--data-dir", str(data), "--webserverport", "0", "--rtmpport", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **LOCAL},
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def database_bytes(database: Path) -> bytes:
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


def open_modes(root: Path) -> list[str]:
    """Every path under `root` (itself included) that group or others may access."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077 and not path.is_symlink():
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def test_first_start_files_are_private_and_tokens_not_in_clear(tmp_path):
    os.umask(0o022)  # bin/owncastd's usual umask: files would be 0644, directories 0755
    data = tmp_path / "data"
    daemon = DaemonProcess(data, env=LOCAL).wait_ready()
    try:
        password = re.search(
            r"admin password : (\S+)", (data / "initial-credentials.txt").read_text()
        )
        assert password, daemon.log()
        auth = ("admin", password[1])
        created = httpx.post(
            daemon.url + "/api/admin/accesstokens/create",
            json={"name": "bot", "scopes": ["HAS_ADMIN_ACCESS"]},
            auth=auth,
            timeout=10,
        ).json()
        bot = created["accessToken"]
        chat = httpx.post(daemon.url + "/api/chat/register", json={}, timeout=10).json()
        bearer = {"Authorization": f"Bearer {bot}"}
        assert daemon.get("/api/integrations/chat", headers=bearer).status_code == 200
        assert daemon.get("/api/chat", params={"accessToken": chat["accessToken"]}).is_success
        database = data / "owncast.db"
        assert database.with_name("owncast.db-wal").exists()  # checked while running
        assert open_modes(data) == [], daemon.log()
        stored = database_bytes(database)
        assert bot.encode() not in stored and chat["accessToken"].encode() not in stored
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert open_modes(data) == []


def test_an_open_data_directory_is_tightened_and_logged(tmp_path):
    os.umask(0o022)
    data = tmp_path / "data"
    write_config(data)
    sqlite3.connect(data / "owncast.db").execute("CREATE TABLE t (x)").connection.close()
    data.chmod(0o755)
    (data / "owncast.db").chmod(0o644)
    daemon = DaemonProcess(data).wait_ready()
    try:
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / "owncast.db").stat().st_mode) == 0o600
        log = "\n".join(daemon.lines)
        assert f"permissions restricted path={data} mode=755 new_mode=700" in log
        assert "owncast.db mode=644 new_mode=600" in log
    finally:
        assert daemon.stop() == 0, daemon.log()


@pytest.fixture(scope="module", name="populated")
def populated_fixture(tmp_path_factory) -> Path:
    """A data directory a daemon ran in: a chat user and a token in its database."""
    data = tmp_path_factory.mktemp("populated") / "data"
    write_config(data)
    daemon = DaemonProcess(data).wait_ready()
    try:
        assert daemon.get("/api/admin/status", auth=ADMIN).status_code == 200
        httpx.post(daemon.url + "/api/chat/register", json={"displayName": "ann"}, timeout=10)
    finally:
        assert daemon.stop() == 0, daemon.log()
    with sqlite3.connect(data / "owncast.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = subprocess.run(
        [str(OWNCASTD), "--data-dir", str(data), "backup"], capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    return data


@pytest.fixture(name="copy")
def copy_fixture(populated, tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(populated, data)
    for leftover in ("owncast.db-wal", "owncast.db-shm"):
        (data / leftover).unlink(missing_ok=True)
    return data


def table_pages(database: Path, *tables: str) -> list[int]:
    with sqlite3.connect(database) as conn:
        marks = ",".join("?" * len(tables))
        rows = conn.execute(
            f"SELECT rootpage FROM sqlite_master WHERE name IN ({marks})", tables
        ).fetchall()
    return [row[0] for row in rows]


def scribble(database: Path, pages: list[int], page_size: int = 4096) -> None:
    """Overwrite whole pages (1-based) with random bytes."""
    rng = random.Random(16)
    with database.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * page_size)
            file.write(rng.randbytes(page_size))


def assert_refused_cleanly(result: subprocess.CompletedProcess, code: int, *words: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last, last
    return last


def test_a_healthy_copy_starts(copy):
    daemon = DaemonProcess(copy).wait_ready()
    try:
        health = daemon.get("/api/healthz").json()
        assert health["status"] == "ok", health
        assert daemon.get("/api/admin/users", auth=ADMIN).status_code == 200
    finally:
        assert daemon.stop() == 0, daemon.log()


def test_damaged_pages_refuse_the_start_and_say_how_to_restore(copy):
    pages = table_pages(copy / "owncast.db", "users", "messages", "user_access_tokens")
    size = (copy / "owncast.db").stat().st_size // 4096
    pages += random.Random(12).sample(range(2, size + 1), k=min(3, size - 1))
    scribble(copy / "owncast.db", sorted(set(pages)))
    last = assert_refused_cleanly(start(copy), 1, "damaged", "owncastd restore", "backup")
    assert str(copy / "backup") in last
    # the line names the newest archive; restoring it as told gives a daemon that starts
    archive = re.search(r"`owncastd restore (\S+)`", last)
    assert archive and Path(archive[1]).parent == copy / "backup", last
    restore = [str(OWNCASTD), "--data-dir", str(copy), "restore", archive[1]]
    restored = subprocess.run(restore, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    daemon = DaemonProcess(copy).wait_ready()
    try:
        assert daemon.get("/api/admin/users", auth=ADMIN).status_code == 200
    finally:
        assert daemon.stop() == 0, daemon.log()


def test_a_destroyed_header_refuses_the_start(copy):
    scribble(copy / "owncast.db", [1])
    assert_refused_cleanly(start(copy), 1, "damaged", "owncastd restore")


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_a_lost_config_beside_a_populated_database_is_no_first_start(copy, how):
    config = copy / "owncast.toml"
    assert re.search(r'password_hash = "\$2', config.read_text())  # what the check looks for
    if how == "empty":
        config.write_bytes(b"")
    else:
        config.unlink()
    assert_refused_cleanly(start(copy), 2, "refusing a first start", "owncastd restore", "init")
    assert not (copy / "initial-credentials.txt").exists()
    text = config.read_text() if config.exists() else ""
    assert not re.search(r'password_hash = "\$2', text)  # no new password was made


def test_damage_found_while_running_makes_healthz_name_the_database(copy):
    daemon = DaemonProcess(copy).wait_ready()
    try:
        assert daemon.get("/api/healthz").json()["status"] == "ok"
        scribble(copy / "owncast.db", table_pages(copy / "owncast.db", "users"))
        users = daemon.get("/api/admin/users", auth=ADMIN)
        assert users.status_code == 500
        health = daemon.get("/api/healthz").json()  # degraded at once, naming the database
        assert health["status"] != "ok"
        assert any("database: damaged" in p for p in health["problems"]), health
        # failing (503) once the store probe's one-second cache expires
        wait_for(lambda: daemon.get("/api/healthz").status_code == 503, 10, "503", daemon.log)
    finally:
        daemon.stop()

"""A live daemon whose data disk (a 64 MB tmpfs) fills up: it warns while the disk is nearly
full, keeps the stream and chat running while writes fail, says so in /api/healthz, recovers
when space comes back, and leaves an intact database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.component.tmpfs import mounted_tmpfs
from tests.e2e.harness import DaemonProcess, Publisher, wait_for, write_config

pytestmark = pytest.mark.e2e

NEARLY_FULL_LEFT = 9 * 1024 * 1024  # under the 20% a 64 MB disk must keep free


async def chat_client(daemon: DaemonProcess, name: str) -> ChatWs:
    async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
        user = (await http.post("/api/chat/register", json={"displayName": name})).json()
    ws = await ChatWs.connect(daemon.http_port, user["accessToken"])
    assert not isinstance(ws, Refused), ws
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


async def say(sender: ChatWs, receiver: ChatWs, body: str) -> None:
    """`sender` says `body` and `receiver` gets it (fan-out does not need the disk)."""
    await sender.send_json({"type": "CHAT", "body": body})
    while True:
        event = await receiver.next_event("CHAT", timeout=10)
        if event["body"] == f"<p>{body}</p>":
            return


def saved(database: Path, body: str) -> bool:
    """True once `body` is committed (the group-commit writer saves a moment after fan-out)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM messages WHERE body LIKE ?", (f"%{body}%",))
        return bool(rows.fetchone()[0])


def health(daemon: DaemonProcess) -> dict:
    return daemon.get("/api/healthz").json()


def listed_segments(daemon: DaemonProcess) -> set[str]:
    """The segments the variant playlist lists now (none while ffmpeg cannot write it)."""
    response = daemon.get("/hls/0/stream.m3u8")
    return {line for line in response.text.splitlines() if line.endswith(".ts")}


async def test_a_full_disk_degrades_and_recovers_without_dropping_the_stream(tmp_path):
    with mounted_tmpfs(tmp_path / "fs", "64m") as disk:
        data = disk.root / "data"
        write_config(data, latency=0)
        with (data / "owncast.toml").open("a") as config:
            config.write("\n[chat]\nspam_protection_enabled = false\n")
        disk.fill(leave_bytes=NEARLY_FULL_LEFT)
        daemon = DaemonProcess(data).wait_ready()
        publisher = Publisher(daemon.rtmp_url())
        alice = bob = None
        try:
            # Nearly full: a warning at the first check, health says degraded (still 200).
            wait_for(lambda: "disk nearly full" in daemon.log(), 10, "the warning", daemon.log)
            report = health(daemon)
            assert report["status"] == "degraded"
            assert any(p.startswith("disk nearly full: video") for p in report["problems"])
            daemon.wait_online()
            alice = await chat_client(daemon, "alice")
            bob = await chat_client(daemon, "bob")
            await say(alice, bob, "before the disk filled up")
            database = data / "owncast.db"
            wait_for(lambda: saved(database, "before the disk filled up"), 10, "the commit")

            # Full: writes fail, the stream and chat go on, health names the store.
            disk.fill()
            await say(alice, bob, "while the disk is full")
            wait_for(
                lambda: any("database writes are failing" in p for p in health(daemon)["problems"]),
                15,
                "store degraded",
                daemon.log,
            )
            assert daemon.get("/api/healthz").status_code == 200
            await trio.sleep(3)
            assert daemon.process.poll() is None and publisher.process.poll() is None
            assert daemon.status()["online"] is True

            # Space again: video and database writes resume by themselves.
            before = listed_segments(daemon)
            disk.free()
            wait_for(lambda: listed_segments(daemon) - before, 30, "new segments", daemon.log)
            await say(alice, bob, "after space came back")
            wait_for(
                lambda: not any("database" in p for p in health(daemon)["problems"]),
                15,
                "store recovered",
                daemon.log,
            )
            assert "Traceback" not in daemon.log()
        finally:
            for ws in (alice, bob):
                if ws is not None:
                    await ws.aclose()
            publisher.stop()
            assert daemon.stop() == 0, daemon.log()
        with sqlite3.connect(data / "owncast.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            bodies = [row[0] for row in conn.execute("SELECT body FROM messages")]
        assert any("before the disk filled up" in body for body in bodies)
        assert any("after space came back" in body for body in bodies)

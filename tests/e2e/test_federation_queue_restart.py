"""The federation delivery queue survives kill -9: an admin post queued to followers whose
instance hangs, the daemon killed with SIGKILL mid-delivery, and after a restart every follower
inbox gets the same Create (the rows were committed before the route answered)."""

from __future__ import annotations

import signal
import sqlite3
import time

import httpx
import trio

from tests.component.webhook_receiver import WebhookReceiver
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

FOLLOWERS = ("ann", "bob", "cy")


def _add_followers(db: str, base: str) -> None:
    conn = sqlite3.connect(db, timeout=30)
    with conn:
        for name in FOLLOWERS:
            conn.execute(
                "INSERT INTO ap_followers (iri, inbox, created_at, approved_at)"
                " VALUES (?, ?, ?, ?)",
                (f"{base}/users/{name}", f"{base}/users/{name}/inbox", time.time(), time.time()),
            )
    conn.close()


async def test_queued_deliveries_arrive_after_kill_9(tmp_path, nursery):
    remote = await WebhookReceiver(blackhole=True).start(nursery)  # accepts, never answers
    base = f"http://127.0.0.1:{remote.port}"
    config = write_config(tmp_path)
    with config.open("a") as out:
        out.write(
            '\n[server]\nurl = "http://127.0.0.1:9"\n\n'
            "[federation]\nenabled = true\nallow_private_addresses = true\n"
        )
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        await trio.to_thread.run_sync(_add_followers, str(tmp_path / "owncast.db"), base)
        async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as client:
            sent = await client.post(
                "/api/admin/federation/send",
                json={"value": "before kill -9"},
                auth=("admin", ADMIN_PASSWORD),
            )
        assert sent.status_code == 200, sent.text + daemon.log()
        first = await remote.next()  # a delivery is in flight (and hangs) when we kill
        daemon.process.send_signal(signal.SIGKILL)
        assert daemon.process.wait(10) == -signal.SIGKILL
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
    remote.blackhole = False  # the remote instance recovers
    seen = len(remote.received)
    restarted = DaemonProcess(tmp_path).wait_ready()
    try:
        with trio.fail_after(20):
            while {r.path for r in remote.received[seen:]} != {
                f"/users/{name}/inbox" for name in FOLLOWERS
            }:
                await remote.next()
        after = remote.received[seen:]
        assert {r.json()["id"] for r in after} == {first.json()["id"]}
        assert "before kill -9" in first.json()["object"]["content"]
    finally:
        assert restarted.stop() == 0, restarted.log()

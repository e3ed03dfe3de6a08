"""End to end on a real owncastd subprocess with real websocket clients and the test-only
Chatwoot (`tests/e2e/chatwoot_hook.py`, the in-memory fake saved to a file): viewer A's private
message reaches Chatwoot; an agent reply reaches only A (B sees nothing); a private note never
arrives; messages queued while Chatwoot is down survive `kill -9` and are delivered exactly once
after the restart."""

from __future__ import annotations

import signal
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.component.chatwoot_fixtures import message_created
from tests.e2e.chatwoot_hook import SECRET, load_state
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for, write_config

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


async def connect(port: int, token: str) -> ChatWs:
    ws = await ChatWs.connect(port, token)
    assert not isinstance(ws, Refused), ws
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


def incoming(state_path: Path) -> list[str]:
    state = load_state(state_path)
    return [
        m["content"]
        for c in state["conversations"].values()
        for m in c["messages"]
        if m["message_type"] == "incoming"
    ]


async def wait_for_incoming(state_path: Path, count: int, daemon: DaemonProcess) -> list[str]:
    """Chatwoot's incoming messages once there are `count` (another process writes the file)."""
    await trio.to_thread.run_sync(
        wait_for, lambda: len(incoming(state_path)) >= count, 15, "chatwoot messages", daemon.log
    )
    return incoming(state_path)


async def post(http: httpx.AsyncClient, token: str, body: str) -> dict[str, Any]:
    response = await http.post(
        "/api/chatwoot/messages", params={"accessToken": token}, json={"body": body}
    )
    assert response.status_code == 202, response.text
    return response.json()


async def first_run(daemon: DaemonProcess, state: Path) -> dict[str, Any]:
    """Ada writes, the team answers her alone; then, Chatwoot down, she sends three more
    (acknowledged: stored). Returns Ada's registration."""
    async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
        ada = (await http.post("/api/chat/register", json={"displayName": "ada"})).json()
        bob = (await http.post("/api/chat/register", json={"displayName": "bob"})).json()
        ada_ws = await connect(daemon.http_port, ada["accessToken"])
        bob_ws = await connect(daemon.http_port, bob["accessToken"])
        await post(http, ada["accessToken"], "hello team")
        assert await wait_for_incoming(state, 1, daemon) == ["hello team"]
        [cid] = [int(c) for c in load_state(state)["conversations"]]
        hook = f"/api/chatwoot/webhook/{SECRET}"
        for payload in (
            message_created(9001, cid, "a private note", private=True),
            message_created(9002, cid, "hi ada, the team here"),
        ):
            assert (await http.post(hook, json=payload)).status_code == 200
        reply = await ada_ws.next_event("CHATWOOT_MESSAGE")
        while reply["author"] != "agent":  # (first her own message, echoed to her sockets)
            reply = await ada_ws.next_event("CHATWOOT_MESSAGE")
        assert reply["body"] == "hi ada, the team here"
        # Bob: a public message after the reply arrives with nothing private before it.
        await ada_ws.send_json({"type": "CHAT", "body": "marker"})
        while (event := await bob_ws.next_event())["type"] != "CHAT":
            assert event["type"] != "CHATWOOT_MESSAGE", event
        await trio.Path(f"{state}.down").touch()
        for n in range(3):
            await trio.sleep(0.7)  # the chat rate limit: 1.5 messages a second
            await post(http, ada["accessToken"], f"queued {n}")
    return ada


def thread_of(daemon: DaemonProcess, token: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = daemon.get(
        "/api/chatwoot/thread", params={"accessToken": token}
    ).json()["messages"]
    return messages


async def test_private_thread_end_to_end_and_kill_9(tmp_path: Path) -> None:
    data_dir, state = tmp_path / "data", tmp_path / "chatwoot.json"
    write_config(data_dir)
    env = {
        "OWNCASTD_CHATWOOT_TEST_HOOK": str(ROOT / "tests/e2e/chatwoot_hook.py"),
        "OWNCASTD_CHATWOOT_TEST_STATE": str(state),
    }
    daemon = DaemonProcess(data_dir, env=env).wait_ready()
    try:
        ada = await first_run(daemon, state)
        daemon.process.send_signal(signal.SIGKILL)
        assert daemon.process.wait(10) == -signal.SIGKILL
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
    assert incoming(state) == ["hello team"]
    await trio.Path(f"{state}.down").unlink()
    restarted = DaemonProcess(data_dir, env=env).wait_ready()
    try:
        found = await wait_for_incoming(state, 4, restarted)
        assert found == ["hello team", "queued 0", "queued 1", "queued 2"]

        def all_sent() -> bool:
            thread = thread_of(restarted, ada["accessToken"])
            return all(m["status"] in ("sent", "received") for m in thread)

        await trio.to_thread.run_sync(wait_for, all_sent, 15, "all sent", restarted.log)
        messages = await trio.to_thread.run_sync(thread_of, restarted, ada["accessToken"])
        assert [(m["author"], m["body"]) for m in messages] == [
            ("viewer", "hello team"),
            ("agent", "hi ada, the team here"),
            ("viewer", "queued 0"),
            ("viewer", "queued 1"),
            ("viewer", "queued 2"),
        ]
        assert incoming(state) == found  # each exactly once
        deleted = await trio.to_thread.run_sync(
            partial(
                httpx.post,
                f"{restarted.url}/api/admin/users/delete",
                json={"userId": ada["id"]},
                auth=("admin", ADMIN_PASSWORD),
            )
        )
        assert deleted.status_code == 200, deleted.text
    finally:
        assert restarted.stop() == 0, restarted.log()
    with sqlite3.connect(data_dir / "owncast.db") as db:  # her private thread went with her
        left = db.execute("SELECT COUNT(*) FROM chatwoot_messages WHERE user_id = ?", (ada["id"],))
        assert left.fetchone()[0] == 0

"""End to end: chat on a real owncastd subprocess, then `kill -9` one second after a client
received a message; after a restart the message, the user, their token, a moderator flag and an
IP ban are all still there."""

from __future__ import annotations

import signal

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = pytest.mark.e2e

ADMIN = ("admin", ADMIN_PASSWORD)


async def _connect(port: int, token: str) -> ChatWs:
    ws = await ChatWs.connect(port, token)
    assert not isinstance(ws, Refused), ws
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


async def test_acknowledged_message_survives_kill_9(tmp_path) -> None:
    data_dir = tmp_path / "data"
    write_config(data_dir)
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        async with httpx.AsyncClient(base_url=daemon.url, timeout=10) as http:
            alice = (await http.post("/api/chat/register", json={"displayName": "alice"})).json()
            bob = (await http.post("/api/chat/register", json={"displayName": "bob"})).json()
            promoted = await http.post(
                "/api/admin/chat/users/setmoderator",
                json={"userId": bob["id"], "isModerator": True},
                auth=ADMIN,
            )
            assert promoted.status_code == 200, daemon.log()
            banned = await http.post(
                "/api/admin/chat/users/ipbans/create", json={"value": "192.0.2.44"}, auth=ADMIN
            )
            assert banned.status_code == 200
        sender = await _connect(daemon.http_port, alice["accessToken"])
        receiver = await _connect(daemon.http_port, bob["accessToken"])
        await sender.send_json({"type": "CHAT", "body": "remember **me**"})
        received = await receiver.next_event("CHAT")
        await trio.sleep(1.0)
        daemon.process.send_signal(signal.SIGKILL)
        assert daemon.process.wait(10) == -signal.SIGKILL
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
    restarted = DaemonProcess(data_dir).wait_ready()
    try:
        async with httpx.AsyncClient(base_url=restarted.url, timeout=10) as http:
            history = await http.get("/api/chat", params={"accessToken": alice["accessToken"]})
            assert history.status_code == 200, restarted.log()
            (message,) = history.json()
            assert message["id"] == received["id"]
            assert message["body"] == "<p>remember <strong>me</strong></p>"
            assert message["user"]["displayName"] == "alice"
            moderators = (await http.get("/api/admin/chat/users/moderators", auth=ADMIN)).json()
            assert [m["id"] for m in moderators] == [bob["id"]]
            bans = (await http.get("/api/admin/chat/users/ipbans", auth=ADMIN)).json()
            assert [b["ipAddress"] for b in bans] == ["192.0.2.44"]
        again = await _connect(restarted.http_port, bob["accessToken"])
        await again.aclose()
    finally:
        assert restarted.stop() == 0, restarted.log()

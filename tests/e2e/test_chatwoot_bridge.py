"""End to end: a real owncastd set up with `POST /api/admin/chatwoot/setup` (what `owncastctl
chatwoot setup` calls) against the stand-in Chatwoot THROUGH PRISM, so every request the
bridge makes is checked against Chatwoot's Swagger, and the stand-in's agent bot posting its
webhooks to the daemon. Real websocket clients, real SQLite, `kill -9`.

One run: Ada writes to the team and the conversation appears; an agent's note stays in
Chatwoot and the agent's reply reaches Ada only (Bob, on the same chat, sees nothing); during a
short Chatwoot outage her messages queue and then arrive, each once; a moderator escalates a
public message and an allowed agent's `/hide` hides it for every viewer (VISIBILITY-UPDATE),
confirmed in the conversation. Then, Chatwoot down again, a queued message survives `kill -9`
and is delivered exactly once after the restart.
"""

from __future__ import annotations

import signal
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for, write_config

pytestmark = pytest.mark.e2e

AGENT = 7  # the agent allowed to run /hide, /ban, /timeout
LABEL = "owncast-escalation"
OUTAGE = 5.0  # seconds of 503s from Chatwoot
ADMIN = ("admin", ADMIN_PASSWORD)


async def until(check: Callable[[], bool], what: str, daemon: DaemonProcess) -> None:
    """Wait (polling, in a thread) for a condition another process makes true; 25 s at most."""
    await trio.to_thread.run_sync(wait_for, check, 25, what, daemon.log)


def conversations(chatwoot: ChatwootUnderTest, escalated: bool = False) -> list[dict[str, Any]]:
    return [c for c in chatwoot.snapshot()["conversations"] if (LABEL in c["labels"]) == escalated]


def viewer_posts(chatwoot: ChatwootUnderTest) -> list[str]:
    """The viewers' messages as Chatwoot holds them, in order."""
    return [
        m["content"]
        for c in conversations(chatwoot)
        for m in c["messages"]
        if m["message_type"] == "incoming"
    ]


async def connect(port: int, token: str) -> ChatWs:
    ws = await ChatWs.connect(port, token)
    assert not isinstance(ws, Refused), ws
    await ws.next_event("CONNECTED_USER_INFO")
    return ws


async def post(http: httpx.AsyncClient, token: str, body: str) -> None:
    response = await http.post(
        "/api/chatwoot/messages", params={"accessToken": token}, json={"body": body}
    )
    assert response.status_code == 202, response.text


async def set_up(http: httpx.AsyncClient, chatwoot: ChatwootUnderTest, url: str) -> None:
    """What `owncastctl chatwoot setup` does; the bridge uses it without a restart."""
    body = {"url": chatwoot.api_url, "accountId": 1, "token": chatwoot.token, "serverUrl": url}
    response = await http.post("/api/admin/chatwoot/setup", json=body, auth=ADMIN)
    assert response.status_code == 200, response.text


async def agent_reply(ada: ChatWs, bob: ChatWs, chatwoot: ChatwootUnderTest, cid: int) -> None:
    """A note stays in Chatwoot; the reply reaches Ada's socket, never Bob's."""
    chatwoot.control("agent_reply", {"conversation_id": cid, "content": "a note", "private": True})
    chatwoot.control("agent_reply", {"conversation_id": cid, "content": "hi ada, the team here",
                                     "agent_id": 2, "agent_name": "Agent Smith"})  # fmt: skip
    reply = await ada.next_event("CHATWOOT_MESSAGE", timeout=15)
    while reply["author"] != "agent":  # (first her own message, echoed to her sockets)
        reply = await ada.next_event("CHATWOOT_MESSAGE", timeout=15)
    assert (reply["body"], reply["senderName"]) == ("hi ada, the team here", "Agent Smith")
    # Bob: a public message after the reply arrives with nothing private before it.
    await ada.send_json({"type": "CHAT", "body": "marker"})
    while (event := await bob.next_event())["type"] != "CHAT":
        assert event["type"] != "CHATWOOT_MESSAGE", event
    assert not [e for e in ada.events if e.get("type") == "CHATWOOT_MESSAGE"]  # no note


async def outage(http: httpx.AsyncClient, ada: dict[str, Any], chatwoot: ChatwootUnderTest,
                 daemon: DaemonProcess) -> None:  # fmt: skip
    """Chatwoot answers 503 for a while: Ada's messages queue, then arrive once each."""
    chatwoot.control("outage", {"seconds": OUTAGE})
    for n in range(3):
        await trio.sleep(0.7)  # spacing for chat's rate limit (1.5 messages a second)
        await post(http, ada["accessToken"], f"queued {n}")
    expected = ["hello team", "queued 0", "queued 1", "queued 2"]
    await until(lambda: len(viewer_posts(chatwoot)) >= 4, "the queued messages", daemon)
    assert viewer_posts(chatwoot) == expected
    assert chatwoot.snapshot()["duplicate_echo_posts"] == 0


async def escalate_and_hide(
    http: httpx.AsyncClient, bob: dict[str, Any], sockets: list[ChatWs],
    chatwoot: ChatwootUnderTest, daemon: DaemonProcess,
) -> None:  # fmt: skip
    """Bob, a moderator, escalates Ada's public message; the agent's /hide hides it for all."""
    promoted = await http.post("/api/admin/chat/users/setmoderator", auth=ADMIN,
                               json={"userId": bob["id"], "isModerator": True})  # fmt: skip
    assert promoted.status_code == 200, promoted.text
    await sockets[0].send_json({"type": "CHAT", "body": "something rude"})
    rude = await sockets[1].next_event("CHAT")
    answer = await http.post("/api/moderation/chatwoot/escalate", json={"messageId": rude["id"]},
                             params={"accessToken": bob["accessToken"]})  # fmt: skip
    assert answer.status_code == 202, answer.text
    await until(lambda: bool(conversations(chatwoot, escalated=True)), "escalation", daemon)
    [escalation] = conversations(chatwoot, escalated=True)
    assert "something rude" in escalation["messages"][0]["content"]
    assert escalation["messages"][0]["private"] is True
    chatwoot.control("agent_reply", {"conversation_id": escalation["id"], "content": "/hide",
                                     "agent_id": AGENT})  # fmt: skip
    for ws in sockets:
        hidden = await ws.next_event("VISIBILITY-UPDATE", timeout=15)
        assert (hidden["ids"], hidden["visible"]) == ([rude["id"]], False)

    def confirmed() -> bool:
        [c] = conversations(chatwoot, escalated=True)
        return len(c["messages"]) >= 3

    await until(confirmed, "the confirmation note", daemon)


async def first_run(chatwoot: ChatwootUnderTest, daemon: DaemonProcess) -> dict[str, Any]:
    """Everything but the restart; returns Ada's registration."""
    async with httpx.AsyncClient(base_url=daemon.url, timeout=15) as http:
        await set_up(http, chatwoot, daemon.url)
        ada = (await http.post("/api/chat/register", json={"displayName": "ada"})).json()
        bob = (await http.post("/api/chat/register", json={"displayName": "bob"})).json()
        ada_ws = await connect(daemon.http_port, ada["accessToken"])
        bob_ws = await connect(daemon.http_port, bob["accessToken"])
        await post(http, ada["accessToken"], "hello team")
        await until(lambda: viewer_posts(chatwoot) == ["hello team"], "the conversation", daemon)
        [conversation] = conversations(chatwoot)
        assert conversation["status"] == "open"
        await agent_reply(ada_ws, bob_ws, chatwoot, conversation["id"])
        await outage(http, ada, chatwoot, daemon)
        await escalate_and_hide(http, bob, [ada_ws, bob_ws], chatwoot, daemon)
        # Chatwoot down again: one more message waits in the queue when owncastd is killed.
        chatwoot.control("outage", {"seconds": 600})
        await trio.sleep(0.7)  # chat's rate limit
        await post(http, ada["accessToken"], "sent before kill -9")
        status = (await http.get("/api/admin/chatwoot/status", auth=ADMIN)).json()
        assert (status["bridgeRunning"], status["queued"], status["reachable"]) == (True, 1, False)
    return ada


async def test_bridge_end_to_end_through_prism(tmp_path: Path, chatwoot: ChatwootUnderTest) -> None:
    data_dir = tmp_path / "data"
    config = write_config(data_dir)
    config.write_text(config.read_text() + f'\n[chatwoot]\nallowed_agent_ids = ["{AGENT}"]\n')
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        ada = await first_run(chatwoot, daemon)
        daemon.process.send_signal(signal.SIGKILL)
        assert daemon.process.wait(10) == -signal.SIGKILL
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
    assert "sent before kill -9" not in viewer_posts(chatwoot)
    chatwoot.control("outage", {"seconds": 0})  # Chatwoot is back
    restarted = DaemonProcess(data_dir).wait_ready()
    try:
        want = ["hello team", "queued 0", "queued 1", "queued 2", "sent before kill -9"]
        await until(lambda: len(viewer_posts(chatwoot)) >= 5, "the message after restart",
                    restarted)  # fmt: skip
        thread = restarted.get("/api/chatwoot/thread", params={"accessToken": ada["accessToken"]})
        assert [(m["author"], m["body"]) for m in thread.json()["messages"]] == [
            ("viewer", "hello team"), ("agent", "hi ada, the team here"), ("viewer", "queued 0"),
            ("viewer", "queued 1"), ("viewer", "queued 2"), ("viewer", "sent before kill -9"),
        ]  # fmt: skip
        assert viewer_posts(chatwoot) == want  # each exactly once
        assert len(conversations(chatwoot)) == 1
        assert chatwoot.snapshot()["duplicate_echo_posts"] == 0
        assert chatwoot.violations() == []
    finally:
        assert restarted.stop() == 0, restarted.log()
    secret = tomllib.loads(config.read_text())["chatwoot"]["webhook_secret"]
    logged = "\n".join(daemon.lines + restarted.lines)
    assert chatwoot.token not in logged and secret not in logged

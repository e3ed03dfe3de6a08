"""The stand-in Chatwoot itself: the webhooks it sends (shaped as Chatwoot's, once, no retry)
and its outages, which the bridge's tests rely on."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from owncastd.chatwoot.api import ChatwootClient
from owncastd.core.chatwoot.ports import ChatwootUnavailable
from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.e2e.harness import wait_for


class Receiver:
    """A webhook receiver on 127.0.0.1 that records bodies and answers `status`."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.bodies.append(json.loads(data))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/chatwoot/webhook/s3cret"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


async def test_webhooks_are_chatwoots_events_sent_once(
    chatwoot: ChatwootUnderTest, receiver: Receiver
) -> None:
    state = chatwoot.standin.state
    inbox = chatwoot.control("inbox", {"name": "owncast"})
    bot = state.add_bot({"name": "owncastd", "outgoing_url": receiver.url})
    state.inbox_bot[inbox["id"]] = bot["id"]
    state.bot_overrides_status = True  # starts as "bot": the toggle to open is a webhook too
    client = ChatwootClient(chatwoot.api_url, 1, inbox["id"], chatwoot.token)
    contact_id, source_id = await client.ensure_contact("viewer-1", "Alice")
    conv = await client.open_conversation(contact_id, source_id, None)
    incoming = await client.post_incoming(conv, "hi team", "owncast-1")
    await client.aclose()
    wait_for(lambda: len(receiver.bodies) == 2, 10, "status change and incoming webhooks")
    answer = {"conversation_id": conv, "content": "hello", "agent_id": 4,
              "attachments": ["https://f/a.pdf"]}  # fmt: skip
    reply = chatwoot.control("agent_reply", answer)
    wait_for(lambda: len(receiver.bodies) == 3, 10, "the reply's webhook")
    receiver.status = 500
    note = chatwoot.control("agent_reply", {"conversation_id": conv, "content": "psst",
                                            "private": True})  # fmt: skip
    wait_for(lambda: len(state.deliveries) == 4, 10, "the note's delivery")
    chatwoot.control("resolve", {"conversation_id": conv})
    wait_for(lambda: len(state.deliveries) == 5, 10, "the resolve's delivery")

    by_event = sorted(receiver.bodies, key=lambda b: (b["event"], b.get("id", 0)))
    changes = [b for b in by_event if b["event"] == "conversation_status_changed"]
    messages = {b["id"]: b for b in by_event if b["event"] == "message_created"}
    assert [c["changed_attributes"] for c in changes] == [
        [{"status": {"previous_value": "bot", "current_value": "open"}}],
        [{"status": {"previous_value": "open", "current_value": "resolved"}}],
    ]
    mine = messages[incoming]
    assert (mine["message_type"], mine["sender"]["type"], mine["private"]) == (
        "incoming", "contact", False,
    )  # fmt: skip
    assert mine["conversation"]["id"] == conv and mine["conversation"]["status"] == "open"
    assert mine["conversation"]["meta"]["sender"]["identifier"] == "viewer-1"
    assert mine["conversation"]["contact_inbox"]["source_id"] == source_id
    assert mine["created_at"].endswith(".000Z") and mine["inbox"]["id"] == inbox["id"]
    agent = messages[reply["id"]]
    assert (agent["message_type"], agent["sender"], agent["content"]) == (
        "outgoing", {"id": 4, "name": "Agent", "type": "user"}, "hello",
    )  # fmt: skip
    assert [a["data_url"] for a in agent["attachments"]] == ["https://f/a.pdf"]
    assert messages[note["id"]]["private"] is True  # notes are sent; the bridge drops them
    # One attempt each, whatever the answer (no retry on the 500s).
    assert [d["status"] for d in state.deliveries] == [200, 200, 200, 500, 500]
    assert chatwoot.violations() == []


async def test_an_outage_refuses_connections_then_ends(chatwoot: ChatwootUnderTest) -> None:
    inbox = chatwoot.control("inbox", {"name": "owncast"})
    direct = ChatwootClient(chatwoot.direct_url, 1, inbox["id"], chatwoot.token, timeout=2)
    chatwoot.control("outage", {"seconds": 1.5, "mode": "refuse"})
    with pytest.raises(ChatwootUnavailable, match="unreachable"):
        await direct.ensure_contact("viewer-2", "Bo")
    wait_for(lambda: chatwoot.control("state") is not None, 10, "the stand-in to come back")
    assert (await direct.ensure_contact("viewer-2", "Bo"))[0] == 1
    await direct.aclose()

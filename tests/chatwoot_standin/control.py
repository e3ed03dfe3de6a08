"""The stand-in's test-control routes (`/_test/<name>`): what an agent does in Chatwoot's UI,
outages, and inspection. Never behind Prism (they are not Chatwoot's API)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.chatwoot_standin import views
from tests.chatwoot_standin.state import ChatwootState, Invalid, NotFound

if TYPE_CHECKING:
    from tests.chatwoot_standin.server import StandIn


def snapshot(state: ChatwootState) -> dict[str, Any]:
    """Everything, for assertions: inboxes, bots, contacts, conversations with messages."""
    with state.lock:
        conversations = []
        for conv in state.conversations.values():
            item = views.conversation_json(state, conv)
            item["labels"] = list(conv.labels)
            item["contact_id"] = conv.contact_id
            item["source_id"] = conv.source_id
            item["messages"] = [
                views.message_json(m)
                for m in state.messages.values()
                if m.conversation_id == conv.id
            ]
            conversations.append(item)
        return {
            "inboxes": list(state.inboxes.values()),
            "agent_bots": list(state.bots.values()),
            "inbox_bot": {str(k): v for k, v in state.inbox_bot.items()},
            "contacts": [views.contact_json(state, c) for c in state.contacts.values()],
            "conversations": conversations,
            "duplicate_echo_posts": state.duplicate_echo_posts,
            "deliveries": list(state.deliveries),
            "requests": list(state.requests),
        }


def agent_reply(state: ChatwootState, body: dict[str, Any]) -> dict[str, Any]:
    """An agent answers in a conversation: `content`, `agent_id`, `agent_name`, `private`
    (a note), `attachments` (URLs, shown as Chatwoot's attachment objects)."""
    with state.lock:
        conv_id = int(body["conversation_id"])
        agent_id = int(body.get("agent_id", 2))  # 1 is the token's user
        attachments = [
            {"id": i + 1, "file_type": "file", "data_url": url, "thumb_url": url}
            for i, url in enumerate(body.get("attachments") or [])
        ]
        message, _ = state.add_message(
            conv_id,
            content=str(body.get("content") or ""),
            message_type="outgoing",
            private=body.get("private") is True,
            sender={"id": agent_id, "name": str(body.get("agent_name", "Agent")), "type": "user"},
            attachments=attachments,
        )
        state.events.append(("message", message))
        return views.message_json(message)


def resolve(state: ChatwootState, body: dict[str, Any]) -> dict[str, Any]:
    """An agent resolves (or sets `status` of) a conversation."""
    with state.lock:
        conv = state.conversation(int(body["conversation_id"]))
        previous, conv.status = conv.status, str(body.get("status", "resolved"))
        if previous != conv.status:
            state.events.append(("status", (conv, previous)))
        return {"status": conv.status}


def control(standin: StandIn, method: str, name: str, body: Any) -> tuple[int, Any]:
    """Answer `/_test/<name>`."""
    state = standin.state
    data = body if isinstance(body, dict) else {}
    try:
        if name == "state":
            return 200, snapshot(state)
        if name == "stored":  # cheap (the benchmark polls it): viewers' messages stored
            with state.lock:
                kinds = [m.message_type for m in state.messages.values()]
            return 200, {"incoming": kinds.count("incoming")}
        if name == "reset":
            state.reset()
            standin.down_until = 0.0
            return 200, {}
        if name == "agent_reply":
            return 200, agent_reply(state, data)
        if name == "resolve":
            return 200, resolve(state, data)
        if name == "outage":
            seconds = float(data.get("seconds", 1))
            if data.get("mode") == "refuse":
                standin.refuse_for(seconds)
            else:
                standin.down_until = time.monotonic() + seconds
            return 200, {}
        if name == "inbox":  # an API inbox made in Chatwoot's UI
            with state.lock:
                return 200, state.add_inbox(str(data.get("name", "owncast")))
    except (KeyError, ValueError, Invalid) as exc:
        return 400, {"error": f"bad test request: {exc}"}
    except NotFound:
        return 404, {"error": "Resource could not be found"}
    return 404, {"error": f"no test route {name}"}

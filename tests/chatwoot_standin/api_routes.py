"""The stand-in's Chatwoot REST routes (paths under `/api/v1/accounts/{account_id}`), each a
function `(state, match, query, body) -> (status, json)`, called under the state lock."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.chatwoot_standin import views
from tests.chatwoot_standin.state import ChatwootState, Invalid, NotFound

Answer = tuple[int, Any]
Handler = Callable[[ChatwootState, "re.Match[str]", dict[str, str], Any], Answer]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), fn))
        return fn

    return register


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{what} is invalid") from None


def _body(body: Any) -> dict[str, Any]:
    return body if isinstance(body, dict) else {}


@route("GET", r"/inboxes")
def list_inboxes(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    return 200, [views.inbox_json(i) for i in state.inboxes.values()]


@route("POST", r"/inboxes/?")
def create_inbox(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    data = _body(body)
    channel = _body(data.get("channel"))
    kind = {"api": "Channel::Api", "web_widget": "Channel::WebWidget"}.get(channel.get("type", ""))
    if not data.get("name") or kind is None:
        raise Invalid("Name and a channel type are required")
    return 200, views.inbox_json(state.add_inbox(str(data["name"]), kind))


@route("POST", r"/inboxes/(\d+)/set_agent_bot")
def set_agent_bot(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    inbox = state.inbox(int(m.group(1)))
    bot_id = _body(body).get("agent_bot")
    if bot_id is None:
        state.inbox_bot.pop(inbox["id"], None)
    else:
        state.inbox_bot[inbox["id"]] = state.bot(_int(bot_id, "agent_bot"))["id"]
    return 204, None


@route("GET", r"/agent_bots")
def list_bots(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    return 200, list(state.bots.values())


@route("POST", r"/agent_bots")
def create_bot(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    return 200, state.add_bot(_body(body))


@route("PATCH", r"/agent_bots/(\d+)")
def update_bot(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    bot = state.bot(int(m.group(1)))
    for key in ("name", "description", "outgoing_url"):
        if key in _body(body):
            bot[key] = str(body[key])
    return 200, bot


@route("GET", r"/contacts/search")
def search_contacts(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    found = state.search(q.get("q", ""))
    return 200, {"payload": [views.contact_json(state, c) for c in found]}


@route("POST", r"/contacts")
def create_contact(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    data = _body(body)
    inbox_id = _int(data.get("inbox_id"), "inbox_id")
    identifier = data.get("identifier")
    source_id = data.get("source_id")  # honoured when given, as Chatwoot's create does
    contact = state.add_contact(
        str(data.get("name") or ""),
        str(identifier) if identifier else None,
        inbox_id,
        str(source_id) if source_id else None,
    )
    return 200, views.contact_json(state, contact)


@route("POST", r"/contacts/(\d+)/contact_inboxes")
def link_contact(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    data = _body(body)
    inbox_id = _int(data.get("inbox_id"), "inbox_id")
    source_id = str(data.get("source_id") or f"standin-{m.group(1)}-{inbox_id}")
    state.link(int(m.group(1)), inbox_id, source_id)
    return 200, {"source_id": source_id, "inbox": views.inbox_json(state.inbox(inbox_id))}


@route("POST", r"/conversations")
def create_conversation(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    data = _body(body)
    conv = state.add_conversation(
        str(data.get("source_id") or ""),
        _int(data.get("inbox_id"), "inbox_id"),
        _int(data.get("contact_id"), "contact_id"),
        str(data["status"]) if data.get("status") else None,
    )
    answer = {"id": conv.id, "account_id": state.account_id, "inbox_id": conv.inbox_id}
    return 200, answer | {"status": conv.status}


@route("GET", r"/conversations/(\d+)")
def show_conversation(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    return 200, views.conversation_json(state, state.conversation(int(m.group(1))))


@route("POST", r"/conversations/(\d+)/toggle_status")
def toggle_status(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    conv = state.conversation(int(m.group(1)))
    wanted = _body(body).get("status")
    previous = conv.status
    if wanted not in ("open", "resolved", "bot"):
        wanted = "resolved" if conv.status == "open" else "open"
    conv.status = wanted
    if previous != wanted:
        state.events.append(("status", (conv, previous)))
    payload = {"success": True, "current_status": conv.status, "conversation_id": conv.id}
    return 200, {"meta": {}, "payload": payload}


@route("GET", r"/conversations/(\d+)/labels")
def list_labels(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    return 200, {"payload": list(state.conversation(int(m.group(1))).labels)}


@route("POST", r"/conversations/(\d+)/labels")
def set_labels(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    conv = state.conversation(int(m.group(1)))
    labels = _body(body).get("labels")
    conv.labels = [str(x) for x in labels] if isinstance(labels, list) else []
    return 200, {"payload": list(conv.labels)}


@route("GET", r"/conversations/(\d+)/messages")
def list_messages(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    """The newest 20 (Chatwoot's page) below `before`, above `after` when given, oldest first."""
    conv_id = state.conversation(int(m.group(1))).id
    after = int(q["after"]) if q.get("after", "").isdigit() else 0
    before = int(q["before"]) if q.get("before", "").isdigit() else None
    found = [
        views.message_json(msg)
        for msg in state.messages.values()
        if msg.conversation_id == conv_id and msg.id > after and (before is None or msg.id < before)
    ]
    return 200, {"meta": {}, "payload": found[-20:]}


@route("POST", r"/conversations/(\d+)/messages")
def create_message(state: ChatwootState, m: Any, q: dict[str, str], body: Any) -> Answer:
    conv = state.conversation(int(m.group(1)))
    data = _body(body)
    kind = data.get("message_type") or "outgoing"
    private = data.get("private") is True
    if kind == "incoming" and state.inbox(conv.inbox_id)["channel_type"] != "Channel::Api":
        return 422, {"error": "Incoming messages are only allowed in Api inboxes"}
    if kind == "incoming":
        sender = state.contact_sender(conv.contact_id)
    else:
        sender = {"id": 1, "name": "Stand-in Admin", "type": "user"}
    message, new = state.add_message(
        conv.id,
        content=str(data.get("content") or ""),
        message_type=kind,
        private=private,
        sender=sender,
        echo_id=str(data["echo_id"]) if data.get("echo_id") else None,
    )
    if new:
        state.events.append(("message", message))
    return 200, views.message_json(message)


def dispatch(
    state: ChatwootState, method: str, path: str, query: dict[str, str], body: Any
) -> Answer:
    """The answer of an account-scoped route (`path` after the account prefix)."""
    for want, pattern, fn in ROUTES:
        match = pattern.match(path)
        if match and want == method:
            try:
                return fn(state, match, query, body)
            except NotFound:
                return 404, {"error": "Resource could not be found"}
            except Invalid as exc:
                return 422, {"message": str(exc), "attributes": []}
    return 404, {"error": "Resource could not be found"}

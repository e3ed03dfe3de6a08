"""JSON shapes of the stand-in's answers (REST, per the seed Swagger) and of its webhooks
(Chatwoot's `message_created` / `conversation_status_changed`, facts file §1.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.chatwoot_standin.state import ChatwootState, Contact, Conversation, Message

MESSAGE_TYPE_INT = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}


def inbox_json(inbox: dict[str, Any]) -> dict[str, Any]:
    return dict(inbox)


def contact_json(state: ChatwootState, contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {"id": contact.id, "name": contact.name, "additional_attributes": {}}
    if contact.identifier is not None:
        out["identifier"] = contact.identifier
    out["contact_inboxes"] = [
        {"source_id": source, "inbox": inbox_json(state.inbox(inbox_id))}
        for inbox_id, source in contact.links.items()
    ]
    return out


def conversation_json(state: ChatwootState, conv: Conversation) -> dict[str, Any]:
    contact = state.contact(conv.contact_id)
    return {
        "id": conv.id,
        "account_id": state.account_id,
        "inbox_id": conv.inbox_id,
        "status": conv.status,
        "timestamp": str(conv.created_at),
        "unread_count": 0,
        "additional_attributes": {},
        "messages": [],
        "meta": {"sender": {"id": contact.id, "name": contact.name, "channel": "Channel::Api"}},
    }


def message_json(message: Message) -> dict[str, Any]:
    """REST shape. The seed says `message_type` is a string (real Chatwoot sends an int)."""
    out: dict[str, Any] = {
        "id": message.id,
        "content": message.content,
        "content_type": "text",
        "content_attributes": {},
        "message_type": message.message_type,
        "created_at": message.created_at,
        "private": message.private,
        "sender": message.sender,
        "conversation_id": message.conversation_id,
    }
    if message.echo_id is not None:
        out["echo_id"] = message.echo_id
    if message.attachments:
        out["attachments"] = message.attachments
    return out


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _push_message(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "content": message.content,
        "message_type": MESSAGE_TYPE_INT[message.message_type],
        "created_at": message.created_at,
        "private": message.private,
        "conversation_id": message.conversation_id,
        "sender": message.sender,
    }


def webhook_conversation(state: ChatwootState, conv: Conversation) -> dict[str, Any]:
    """`Conversations::EventDataPresenter#push_data` (2021 shape)."""
    contact = state.contact(conv.contact_id)
    public = [
        m
        for m in state.messages.values()
        if m.conversation_id == conv.id and not m.private and m.message_type != "activity"
    ]
    sender = {
        "id": contact.id,
        "name": contact.name,
        "identifier": contact.identifier,
        "email": None,
        "phone_number": None,
        "type": "contact",
    }
    return {
        "id": conv.id,
        "inbox_id": conv.inbox_id,
        "status": conv.status,
        "channel": "Channel::Api",
        "can_reply": True,
        "additional_attributes": {},
        "contact_inbox": {
            "id": conv.contact_id * 1000 + conv.inbox_id,
            "contact_id": contact.id,
            "inbox_id": conv.inbox_id,
            "source_id": conv.source_id,
            "hmac_verified": False,
        },
        "meta": {"sender": sender, "assignee": None, "team": None, "hmac_verified": False},
        "messages": [_push_message(public[-1])] if public else [],
        "labels": list(conv.labels),
        "unread_count": 0,
        "agent_last_seen_at": 0,
        "contact_last_seen_at": 0,
        "timestamp": conv.created_at,
    }


def message_created(state: ChatwootState, message: Message) -> dict[str, Any]:
    """A `message_created` webhook body: top-level message fields plus `event`."""
    conv = state.conversation(message.conversation_id)
    inbox = state.inbox(conv.inbox_id)
    body: dict[str, Any] = {
        "event": "message_created",
        "id": message.id,
        "content": message.content,
        "created_at": _iso(message.created_at),
        "message_type": message.message_type,
        "content_type": "text",
        "content_attributes": {},
        "private": message.private,
        "source_id": None,
        "sender": message.sender,
        "inbox": {"id": inbox["id"], "name": inbox["name"]},
        "account": {"id": state.account_id, "name": state.account_name},
        "conversation": webhook_conversation(state, conv),
    }
    if message.attachments:
        body["attachments"] = message.attachments
    return body


def status_changed(state: ChatwootState, conv: Conversation, previous: str) -> dict[str, Any]:
    """A `conversation_status_changed` webhook body (v4.13+ for bots)."""
    body = webhook_conversation(state, conv)
    body["event"] = "conversation_status_changed"
    body["changed_attributes"] = [
        {"status": {"previous_value": previous, "current_value": conv.status}}
    ]
    return body

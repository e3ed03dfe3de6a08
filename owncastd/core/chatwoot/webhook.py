"""Chatwoot's webhook payloads (agent bot `outgoing_url`; facts §1.2–1.3) read into events.

Fields are top level with `event` merged in; `message_type` is a string in webhooks (an int in
REST: both are accepted); `sender.type` may be missing for contacts; the conversation's `id` is
its display id.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owncastd.core.chatwoot.ports import ChatwootMessage

MESSAGE_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}
STATUS_EVENTS = {
    "conversation_status_changed": None,  # the status is in the payload
    "conversation_updated": None,
    "conversation_opened": "open",
    "conversation_resolved": "resolved",
}


def secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the webhook URL's secret; an empty configured secret never
    matches."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True, slots=True)
class MessageEvent:
    """`message_created`: a message in one of the inbox's conversations."""

    message: ChatwootMessage
    conversation_status: str | None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A conversation's status changed (resolved, opened, pending, snoozed)."""

    conversation_id: int
    status: str


WebhookEvent = MessageEvent | StatusEvent


class BadPayload(ValueError):
    """A known event whose payload lacks what it must have."""


def parse_event(payload: dict[str, Any]) -> WebhookEvent | None:
    """The event, or None for events the bridge ignores (BadPayload when malformed)."""
    event = payload.get("event")
    if event == "message_created":
        conversation = payload.get("conversation")
        status = conversation.get("status") if isinstance(conversation, dict) else None
        return MessageEvent(parse_message(payload), status if isinstance(status, str) else None)
    if isinstance(event, str) and event in STATUS_EVENTS:
        status = STATUS_EVENTS[event] or payload.get("status")
        cid = payload.get("id")
        if not isinstance(cid, int) or isinstance(cid, bool) or not isinstance(status, str):
            if event == "conversation_updated":
                return None
            raise BadPayload(f"{event} without a conversation id and status")
        return StatusEvent(cid, status)
    return None


def parse_message(payload: dict[str, Any]) -> ChatwootMessage:
    """A `message_created` body as a :class:`ChatwootMessage`."""
    message_id = payload.get("id")
    conversation = payload.get("conversation")
    cid = conversation.get("id") if isinstance(conversation, dict) else None
    cid = payload.get("conversation_id", cid) if cid is None else cid
    if not _is_int(message_id) or not _is_int(cid):
        raise BadPayload("message_created without a message id and conversation id")
    assert isinstance(message_id, int) and isinstance(cid, int)
    kind = payload.get("message_type")
    if isinstance(kind, int) and not isinstance(kind, bool):
        kind = MESSAGE_TYPES.get(kind, "")
    sender = payload.get("sender")
    sender = sender if isinstance(sender, dict) else {}
    sender_type = sender.get("type")
    if not isinstance(sender_type, str):
        sender_type = "contact" if kind == "incoming" else None
    content = payload.get("content")
    return ChatwootMessage(
        id=message_id,
        conversation_id=cid,
        content=content if isinstance(content, str) else None,
        message_type=kind if isinstance(kind, str) else "",
        private=payload.get("private") is True,
        sender_type=sender_type,
        sender_id=sender.get("id") if _is_int(sender.get("id")) else None,
        sender_name=sender.get("name") if isinstance(sender.get("name"), str) else None,
        attachments=_attachments(payload.get("attachments")),
        created_at=epoch_seconds(payload.get("created_at")),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _attachments(items: Any) -> tuple[str, ...]:
    if not isinstance(items, list):
        return ()
    urls = (item.get("data_url") for item in items if isinstance(item, dict))
    return tuple(u for u in urls if isinstance(u, str) and u.startswith(("https:", "http:")))


def epoch_seconds(value: Any) -> int:
    """Unix seconds from Chatwoot's times: webhooks carry ISO-8601, REST epoch seconds; 0 when
    neither (the client's parser uses this too)."""
    if _is_int(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return 0
    return 0

"""Reading Chatwoot's JSON answers into the port's types, tolerant of its versions.

REST answers give `message_type` as an integer (0 incoming, 1 outgoing, 2 activity,
3 template) while the seed Swagger and webhooks give strings; `created_at` is epoch seconds in
REST and ISO-8601 in webhooks; attachments are `attachments: [{data_url…}]` (newer) or one
`attachment` object (the seed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from owncastd.core.chatwoot.ports import ChatwootMessage, ChatwootUnavailable
from owncastd.core.chatwoot.webhook import epoch_seconds

MESSAGE_TYPES = ("incoming", "outgoing", "activity", "template")


def message_type(value: Any) -> str:
    """The message type's name, from Chatwoot's integer or string form ("" when unknown)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(MESSAGE_TYPES):
        return MESSAGE_TYPES[value]
    return value if isinstance(value, str) and value in MESSAGE_TYPES else ""


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _attachment_urls(raw: Mapping[str, Any]) -> tuple[str, ...]:
    items = raw.get("attachments")
    if not isinstance(items, list):
        single = raw.get("attachment")
        items = [single] if isinstance(single, Mapping) else []
    urls = []
    for item in items:
        if isinstance(item, Mapping):
            url = item.get("data_url") or item.get("file_url")
            if isinstance(url, str) and url:
                urls.append(url)
    return tuple(urls)


def parse_message(raw: Any, conversation_id: int) -> ChatwootMessage | None:
    """One message of a REST message list or webhook, or None when it has no usable id."""
    if not isinstance(raw, Mapping) or _int_or_none(raw.get("id")) is None:
        return None
    sender = raw.get("sender")
    sender = sender if isinstance(sender, Mapping) else {}
    content = raw.get("content")
    name = sender.get("name")
    kind = sender.get("type")
    return ChatwootMessage(
        id=raw["id"],
        conversation_id=_int_or_none(raw.get("conversation_id")) or conversation_id,
        content=content if isinstance(content, str) else None,
        message_type=message_type(raw.get("message_type")),
        private=raw.get("private") is True,
        sender_type=kind if isinstance(kind, str) else None,
        sender_id=_int_or_none(sender.get("id")),
        sender_name=name if isinstance(name, str) else None,
        attachments=_attachment_urls(raw),
        created_at=epoch_seconds(raw.get("created_at")),
    )


def payload_list(data: Any) -> list[Any]:
    """The list in `{"payload": [...]}` or a bare list (Chatwoot answers both ways)."""
    if isinstance(data, Mapping):
        data = data.get("payload")
    if isinstance(data, list):
        return data
    raise ChatwootUnavailable("Chatwoot's answer has no list where one was expected")


def object_id(data: Any, what: str) -> int:
    """The integer `id` of an answer (`{"id": …}` or `{"payload": {"id": …}}`)."""
    if isinstance(data, Mapping) and isinstance(data.get("payload"), Mapping) and "id" not in data:
        data = data["payload"]
    found = _int_or_none(data.get("id")) if isinstance(data, Mapping) else None
    if found is None:
        raise ChatwootUnavailable(f"Chatwoot's answer to {what} has no id")
    return found

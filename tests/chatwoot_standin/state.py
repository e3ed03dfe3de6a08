"""The stand-in Chatwoot's data: one account with inboxes, contacts, contact_inboxes,
conversations, messages, agent bots and labels, shaped as the seed Swagger answers them.

Every method runs under one lock (the server is threaded). Ids count from 1 per kind, and a
conversation's id is its display id, as in Chatwoot's REST paths.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

WEBHOOK_TIMEOUT = 5.0  # Chatwoot's default, one attempt


class NotFound(Exception):
    """→ 404 {"error": "Resource could not be found"}."""


class Invalid(Exception):
    """→ 422 {"message": …} (a model validation)."""


@dataclass
class Contact:
    id: int
    name: str
    identifier: str | None
    links: dict[int, str] = field(default_factory=dict)  # inbox id → source_id


@dataclass
class Conversation:
    id: int
    inbox_id: int
    contact_id: int
    source_id: str
    status: str
    created_at: int
    labels: list[str] = field(default_factory=list)


@dataclass
class Message:
    id: int
    conversation_id: int
    content: str
    message_type: str
    private: bool
    sender: dict[str, Any]
    created_at: int
    echo_id: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ChatwootState:
    """Everything the stand-in knows; `token` and `account_id` are what it accepts."""

    token: str = "standin-admin-token"
    account_id: int = 1
    account_name: str = "Stand-in"
    inboxes: dict[int, dict[str, Any]] = field(default_factory=dict)
    bots: dict[int, dict[str, Any]] = field(default_factory=dict)
    inbox_bot: dict[int, int] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    duplicate_echo_posts: int = 0
    # Chatwoot from v3 (#7834) starts every conversation of an inbox with an active bot as
    # pending ("bot" here) whatever `status` was asked; the seed's create honours it.
    bot_overrides_status: bool = False
    requests: list[str] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    # Webhooks to send once the current request is answered: ("message", Message) or
    # ("status", (Conversation, previous status)).
    events: list[tuple[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        self._next[kind] = self._next.get(kind, 0) + 1
        return self._next[kind]

    def reset(self) -> None:
        """Forget everything but the token and the account."""
        with self.lock:
            for name in ("inboxes", "bots", "inbox_bot", "contacts", "conversations", "messages"):
                getattr(self, name).clear()
            self.requests.clear()
            self.deliveries.clear()
            self.events.clear()
            self._next.clear()
            self.duplicate_echo_posts = 0

    # --- inboxes and bots -------------------------------------------------------------
    def add_inbox(self, name: str, channel_type: str = "Channel::Api") -> dict[str, Any]:
        inbox = {"id": self.next_id("inbox"), "name": name, "channel_type": channel_type}
        self.inboxes[inbox["id"]] = inbox
        return inbox

    def inbox(self, inbox_id: int) -> dict[str, Any]:
        if inbox_id not in self.inboxes:
            raise NotFound()
        return self.inboxes[inbox_id]

    def add_bot(self, body: dict[str, Any]) -> dict[str, Any]:
        bot = {
            "id": self.next_id("bot"),
            "name": str(body.get("name", "")),
            "description": str(body.get("description", "")),
            "outgoing_url": str(body.get("outgoing_url", "")),
            "account_id": self.account_id,
        }
        self.bots[bot["id"]] = bot
        return bot

    def bot(self, bot_id: int) -> dict[str, Any]:
        if bot_id not in self.bots:
            raise NotFound()
        return self.bots[bot_id]

    def bot_url(self, inbox_id: int) -> str | None:
        bot_id = self.inbox_bot.get(inbox_id)
        return self.bots[bot_id]["outgoing_url"] if bot_id in self.bots else None

    # --- contacts ---------------------------------------------------------------------
    def contact(self, contact_id: int) -> Contact:
        if contact_id not in self.contacts:
            raise NotFound()
        return self.contacts[contact_id]

    def add_contact(
        self, name: str, identifier: str | None, inbox_id: int | None, source_id: str | None = None
    ) -> Contact:
        if identifier and any(c.identifier == identifier for c in self.contacts.values()):
            raise Invalid("Identifier has already been taken")
        contact = Contact(self.next_id("contact"), name, identifier)
        self.contacts[contact.id] = contact
        if inbox_id is not None:
            self.link(contact.id, self.inbox(inbox_id)["id"], source_id or f"standin-{contact.id}")
        return contact

    def link(self, contact_id: int, inbox_id: int, source_id: str) -> None:
        contact = self.contact(contact_id)
        self.inbox(inbox_id)
        taken = any(c.links.get(inbox_id) == source_id for c in self.contacts.values())
        if taken:
            raise Invalid("Source has already been taken")
        contact.links[inbox_id] = source_id

    def search(self, q: str) -> list[Contact]:
        """Substring match on name and identifier, as Chatwoot's search (ILIKE / LIKE)."""
        return [
            c
            for c in self.contacts.values()
            if q and (q.lower() in c.name.lower() or (c.identifier and q in c.identifier))
        ][:15]

    # --- conversations and messages ---------------------------------------------------
    def conversation(self, conversation_id: int) -> Conversation:
        if conversation_id not in self.conversations:
            raise NotFound()
        return self.conversations[conversation_id]

    def add_conversation(
        self, source_id: str, inbox_id: int, contact_id: int, status: str | None = None
    ) -> Conversation:
        contact = self.contact(contact_id)
        self.inbox(inbox_id)
        if contact.links.get(inbox_id) != source_id:
            contact.links.setdefault(inbox_id, source_id)
        with_bot = inbox_id in self.inbox_bot
        start = "bot" if with_bot else "open"
        if status in ("open", "resolved", "bot") and not (with_bot and self.bot_overrides_status):
            start = str(status)
        conv = Conversation(
            self.next_id("conversation"), inbox_id, contact_id, source_id, start, int(time.time())
        )
        self.conversations[conv.id] = conv
        return conv

    def add_message(self, conversation_id: int, **fields: Any) -> tuple[Message, bool]:
        """The new message (or the earlier one with the same echo_id) and whether it is new."""
        conv = self.conversation(conversation_id)
        echo_id = fields.get("echo_id")
        if echo_id:
            for old in self.messages.values():
                if old.conversation_id == conversation_id and old.echo_id == echo_id:
                    self.duplicate_echo_posts += 1
                    return old, False
        message = Message(self.next_id("message"), conversation_id, created_at=int(time.time()),
                          **fields)  # fmt: skip
        self.messages[message.id] = message
        if message.message_type == "incoming" and conv.status == "resolved":
            conv.status = "bot" if conv.inbox_id in self.inbox_bot else "open"
        return message, True

    def contact_sender(self, contact_id: int) -> dict[str, Any]:
        contact = self.contact(contact_id)
        return {"id": contact.id, "name": contact.name, "type": "contact"}

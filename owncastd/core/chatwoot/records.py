"""What the bridge keeps (rows of `store/chatwoot.py`) and the port to that store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# Kinds of rows in the message log.
VIEWER = "viewer"  # a viewer's message to the team (queued, then sent)
ESCALATION = "escalation"  # a moderator's escalation summary (queued, then sent as a note)
CONFIRMATION = "confirmation"  # our answer to an agent command (queued, then sent as a note)
REPLY = "reply"  # an agent's reply to a viewer (received)
HANDLED = "handled"  # an agent message we acted on (relay, command): kept for replay protection

# Row statuses.
QUEUED = "queued"
SENDING = "sending"  # a post was started: it may have reached Chatwoot (check before re-posting)
SENT = "sent"
FAILED = "failed"
RECEIVED = "received"

RELAY = "relay"  # the kind of the public relay's conversation

OUTGOING_KINDS = (VIEWER, ESCALATION, CONFIRMATION)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued call to Chatwoot, written before the viewer is told it was accepted."""

    id: str  # our own id: the idempotency key and Chatwoot's echo_id
    kind: str
    user_id: str  # the viewer (or, for an escalation, the reported user)
    content: str
    created_at: float  # Unix seconds
    status: str = QUEUED
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""
    conversation_id: int | None = None  # set for confirmations, and once known for the rest
    cursor: int = 0  # the conversation's last seen Chatwoot id when the post started
    chatwoot_id: int | None = None
    name: str = ""  # the viewer's display name (for a new contact)
    subject: str = ""  # an escalation's reported chat message id (may be empty)


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    """One message of a viewer's private thread."""

    id: str
    author: str  # "viewer" | "agent"
    content: str
    attachments: tuple[str, ...]
    created_at: float
    status: str
    sender_name: str = ""

    def to_json(self) -> dict[str, object]:
        """The shape the viewer page gets (`GET /api/chatwoot/thread`, CHATWOOT_REPLY)."""
        return {
            "id": self.id,
            "author": self.author,
            "body": self.content,
            "attachments": list(self.attachments),
            "timestamp": self.created_at,
            "status": self.status,
            "senderName": self.sender_name,
        }


@dataclass(frozen=True, slots=True)
class Contact:
    """A viewer's Chatwoot contact."""

    user_id: str
    contact_id: int
    source_id: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """A Chatwoot conversation we take part in."""

    conversation_id: int
    user_id: str
    kind: str  # VIEWER or ESCALATION
    status: str = "open"
    cursor: int = 0  # highest Chatwoot message id seen in it
    message_id: str = ""  # for an escalation: the reported chat message (may be empty)


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """For `owncastctl chatwoot status`: rows by status and the newest error."""

    counts: dict[str, int]
    last_error: str


class BridgeRepository(Protocol):
    """The bridge's persistent state."""

    async def enqueue(self, row: OutboxRow) -> None: ...

    async def due(self, now: float, limit: int) -> list[OutboxRow]: ...

    async def next_due(self) -> float | None: ...

    async def mark_sending(self, row_id: str, conversation_id: int, cursor: int) -> None: ...

    async def mark_sent(self, row_id: str, conversation_id: int, chatwoot_id: int) -> None: ...

    async def mark_retry(self, row_id: str, attempts: int, at: float, error: str) -> None: ...

    async def mark_failed(self, row_id: str, error: str) -> None: ...

    async def contact(self, user_id: str) -> Contact | None: ...

    async def save_contact(self, contact: Contact) -> None: ...

    async def conversation(self, conversation_id: int) -> Conversation | None: ...

    async def conversation_of(self, user_id: str) -> Conversation | None: ...

    async def save_conversation(self, conversation: Conversation) -> None: ...

    async def set_status(self, conversation_id: int, status: str) -> None: ...

    async def advance_cursor(self, conversation_id: int, message_id: int) -> None: ...

    async def open_conversations(self) -> list[Conversation]: ...

    async def claim(self, entry: ThreadEntry, kind: str, user_id: str, chatwoot_id: int) -> bool:
        """Record a received Chatwoot message; False when it was already recorded (replay)."""
        ...

    async def known_ids(self, conversation_id: int) -> set[int]: ...

    async def thread(self, user_id: str, limit: int) -> list[ThreadEntry]: ...

    async def queue_status(self) -> QueueStatus: ...

    def forget_user(self, user_id: str) -> None: ...

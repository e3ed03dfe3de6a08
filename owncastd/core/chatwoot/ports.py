"""The port to Chatwoot's REST API (implemented by `owncastd/chatwoot/api.py`) and its errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ChatwootMessage:
    """One message of a conversation as Chatwoot's message list returns it."""

    id: int
    conversation_id: int
    content: str | None
    message_type: str  # "incoming" | "outgoing" | "activity" | "template"
    private: bool
    sender_type: str | None  # "user" (agent) | "agent_bot" | "contact" | None
    sender_id: int | None
    sender_name: str | None
    attachments: tuple[str, ...]
    created_at: int


class ChatwootApi(Protocol):
    """What the bridge asks of Chatwoot."""

    async def ensure_contact(self, identifier: str, name: str) -> tuple[int, str]:
        """(contact_id, source_id): found by identifier or created in our inbox."""
        ...

    async def open_conversation(
        self,
        contact_id: int,
        source_id: str,
        conversation_id: int | None,
        labels: Sequence[str] = (),
    ) -> int:
        """Reopen `conversation_id` if it exists, else create one; its display id."""
        ...

    async def post_incoming(self, conversation_id: int, content: str, echo_id: str) -> int:
        """Post a contact's message; its Chatwoot id."""
        ...

    async def post_outgoing(
        self, conversation_id: int, content: str, *, private: bool = False
    ) -> int:
        """Post as the bot (a note when `private`); its Chatwoot id."""
        ...

    async def messages_after(self, conversation_id: int, after_id: int) -> list[ChatwootMessage]:
        """The conversation's messages with an id above `after_id`, oldest first."""
        ...

    async def add_labels(self, conversation_id: int, labels: Sequence[str]) -> None:
        """Add labels to a conversation."""
        ...


class ChatwootError(Exception):
    """A Chatwoot call failed."""


class ChatwootUnavailable(ChatwootError):
    """Connect error, timeout, 5xx or 429: retry later."""


class ChatwootRejected(ChatwootError):
    """Any other 4xx: do not retry (the row is marked failed with this error)."""


class UnconfiguredChatwoot:
    """The port while no Chatwoot is configured: every call is unavailable."""

    async def _unavailable(self, *args: object, **kwargs: object) -> Any:
        raise ChatwootUnavailable("Chatwoot is not configured")

    ensure_contact = open_conversation = post_incoming = post_outgoing = _unavailable
    messages_after = add_labels = _unavailable

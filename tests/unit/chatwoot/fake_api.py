"""An in-memory, stateful stand-in for the `ChatwootApi` port: contacts, conversations,
messages with ids, and switches to make it fail (until the `cwapi` branch's stand-in server
is merged)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import trio

from owncastd.core.chatwoot.ports import ChatwootMessage, ChatwootRejected, ChatwootUnavailable


@dataclass
class FakeConversation:
    id: int
    contact_id: int
    status: str = "pending"
    labels: list[str] = field(default_factory=list)
    messages: list[ChatwootMessage] = field(default_factory=list)


class FakeChatwoot:
    """Chatwoot as the bridge sees it. `down`: every call raises ChatwootUnavailable;
    `lose_response`: the next post is stored but answers with a timeout; `reject`: the next
    post is refused (422)."""

    def __init__(self) -> None:
        self.contacts: dict[str, tuple[int, str, str]] = {}  # identifier → (id, source, name)
        self.conversations: dict[int, FakeConversation] = {}
        self.down = False
        self.lose_response = False
        self.reject = False
        self.calls: list[str] = []
        self._ids = 100
        self._changed = trio.Event()

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait (on posts, not on a timer) until `predicate()` holds."""
        while not predicate():
            await self._changed.wait()

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _call(self, name: str) -> None:
        self.calls.append(name)
        self._changed.set()
        self._changed = trio.Event()
        if self.down:
            raise ChatwootUnavailable("connection refused")

    async def ensure_contact(self, identifier: str, name: str) -> tuple[int, str]:
        self._call("ensure_contact")
        if identifier not in self.contacts:
            self.contacts[identifier] = (self._next(), f"src-{identifier}", name)
        contact_id, source_id, _ = self.contacts[identifier]
        return contact_id, source_id

    async def open_conversation(
        self,
        contact_id: int,
        source_id: str,
        conversation_id: int | None,
        labels: Sequence[str] = (),
    ) -> int:
        self._call("open_conversation")
        if conversation_id is not None and conversation_id in self.conversations:
            self.conversations[conversation_id].status = "pending"
            return conversation_id
        conversation = FakeConversation(self._next(), contact_id, labels=list(labels))
        self.conversations[conversation.id] = conversation
        return conversation.id

    def _post(self, cid: int, content: str, kind: str, private: bool, sender: str) -> int:
        if self.reject:
            self.reject = False
            raise ChatwootRejected("422 Too many messages")
        if cid not in self.conversations:
            raise ChatwootRejected("404 Resource could not be found")
        message = ChatwootMessage(
            id=self._next(),
            conversation_id=cid,
            content=content,
            message_type=kind,
            private=private,
            sender_type=sender,
            sender_id=7 if sender == "user" else 1,
            sender_name="Agent Smith" if sender == "user" else "owncast",
            attachments=(),
            created_at=1_700_000_000,
        )
        self.conversations[cid].messages.append(message)
        self._changed.set()
        self._changed = trio.Event()
        if self.lose_response:
            self.lose_response = False
            raise ChatwootUnavailable("read timeout")
        return message.id

    async def post_incoming(self, conversation_id: int, content: str, echo_id: str) -> int:
        self._call("post_incoming")
        return self._post(conversation_id, content, "incoming", False, "contact")

    async def post_outgoing(
        self, conversation_id: int, content: str, *, private: bool = False
    ) -> int:
        self._call("post_outgoing")
        return self._post(conversation_id, content, "outgoing", private, "agent_bot")

    async def messages_after(self, conversation_id: int, after_id: int) -> list[ChatwootMessage]:
        self._call("messages_after")
        if conversation_id not in self.conversations:
            raise ChatwootRejected("404 Resource could not be found")
        return [m for m in self.conversations[conversation_id].messages if m.id > after_id]

    async def add_labels(self, conversation_id: int, labels: Sequence[str]) -> None:
        self._call("add_labels")
        self.conversations[conversation_id].labels.extend(labels)

    # ---- what an agent does in Chatwoot's UI ---------------------------------------------

    def agent_reply(
        self, conversation_id: int, content: str, *, private: bool = False, agent_id: int = 7
    ) -> ChatwootMessage:
        """An agent writes in a conversation (not through the bridge)."""
        message = ChatwootMessage(
            id=self._next(),
            conversation_id=conversation_id,
            content=content,
            message_type="outgoing",
            private=private,
            sender_type="user",
            sender_id=agent_id,
            sender_name="Agent Smith",
            attachments=(),
            created_at=1_700_000_100,
        )
        self.conversations[conversation_id].messages.append(message)
        return message

    def incoming(self, conversation_id: int | None = None) -> list[str]:
        """Contents of incoming messages (all conversations, or one)."""
        return [
            m.content or ""
            for c in self.conversations.values()
            if conversation_id in (None, c.id)
            for m in c.messages
            if m.message_type == "incoming"
        ]

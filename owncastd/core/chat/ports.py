"""What the chat room needs from the outside: persistence and a way to reach each client."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from owncastd.core.chat.models import ChatMessage, ChatUser
from owncastd.core.chat.wire import Outgoing


class Outbox(Protocol):
    """One client connection's outbound side, owned by a transport.

    `push` must never block: it queues (or writes without waiting) and returns False when the
    client's queue is full, in which case the room drops the client. `close` asks the
    transport to close the connection soon (after flushing what is queued when `flush`).
    """

    def push(self, event: Outgoing) -> bool: ...

    def close(self, *, flush: bool = True) -> None: ...


class ChatRepository(Protocol):
    """Chat persistence (implemented over SQLite in `owncastd.store.chat`)."""

    async def user_for_token(self, token: str) -> ChatUser | None: ...

    async def user(self, user_id: str) -> ChatUser | None: ...

    async def name_taken(self, name: str, *, except_user_id: str) -> bool: ...

    async def save_user(self, user: ChatUser) -> None: ...

    def queue_message(self, message: ChatMessage) -> None:
        """Queue the insert to the group-commit writer (committed within milliseconds)."""

    async def set_hidden(self, ids: Sequence[str], hidden_at: datetime | None) -> None: ...

    async def visible_message_ids_of(self, user_id: str) -> list[str]: ...

    async def ip_bans(self) -> list[tuple[str, str, datetime]]: ...

    async def add_ip_ban(self, ip: str, notes: str, at: datetime) -> None: ...

    async def remove_ip_ban(self, ip: str) -> None: ...

    async def prune_messages(self, older_than: datetime) -> int: ...

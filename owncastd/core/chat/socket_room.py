"""What a chat websocket transport needs from the room it serves: the origin's `ChatRoom`,
or an edge's room that forwards client events to the origin (issue 18)."""

from __future__ import annotations

from typing import Protocol

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.models import ChatUser
from owncastd.core.chat.ports import Outbox


class SocketRoom(Protocol):
    """The room as `serve_chat_socket` sees it: precheck → authenticate → join → receive… →
    leave (or drop)."""

    @property
    def settings(self) -> SettingsRef: ...

    def precheck(self, ip: str) -> str | None: ...

    async def authenticate(self, token: str) -> ChatUser | None: ...

    def join(self, user: ChatUser, outbox: Outbox, ip: str, user_agent: str) -> ChatClient: ...

    async def receive(self, client: ChatClient, frame: str, size: int) -> None: ...

    def leave(self, client: ChatClient) -> None: ...

    def drop(self, client: ChatClient, reason: str) -> None: ...

"""`LiveChatwoot`: the bridge's `ChatwootApi` for whatever `[chatwoot]` says now.

The bridge is built at startup, before `owncastctl chatwoot setup` may have run; so each call
reads the settings and uses a `ChatwootClient` for them, built on first use (httpx is imported
then, not at startup) and rebuilt when the url, account, inbox or token change. While Chatwoot
is not set up every call is `ChatwootUnavailable`, and the outbox keeps the messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from owncastd.chatwoot.factory import client_from_settings
from owncastd.config.settings import ChatwootSettings
from owncastd.core.chatwoot.ports import ChatwootApi, ChatwootMessage, UnconfiguredChatwoot

Key = tuple[str, int, int, str]


class LiveChatwoot:
    """A `ChatwootApi` that follows the `[chatwoot]` settings (`current()` on each call)."""

    def __init__(self, current: Callable[[], ChatwootSettings]) -> None:
        self._current = current
        self._key: Key | None = None
        self._api: ChatwootApi = UnconfiguredChatwoot()

    def __repr__(self) -> str:  # never the token
        return f"LiveChatwoot({self._api!r})"

    def api(self) -> ChatwootApi:
        """The client for the current settings (the previous one while they are unchanged).

        A replaced client is not closed: calls still running on it finish (or fail and are
        retried by the outbox); its pooled connections go with it."""
        cw = self._current()
        key = (cw.url, cw.account_id, cw.inbox_id, cw.api_token)
        if key != self._key:
            self._key = key
            self._api = client_from_settings(cw) or UnconfiguredChatwoot()
        return self._api

    async def ensure_contact(self, identifier: str, name: str) -> tuple[int, str]:
        """See `ChatwootApi.ensure_contact`."""
        return await self.api().ensure_contact(identifier, name)

    async def open_conversation(
        self,
        contact_id: int,
        source_id: str,
        conversation_id: int | None,
        labels: Sequence[str] = (),
    ) -> int:
        """See `ChatwootApi.open_conversation`."""
        return await self.api().open_conversation(contact_id, source_id, conversation_id, labels)

    async def post_incoming(self, conversation_id: int, content: str, echo_id: str) -> int:
        """See `ChatwootApi.post_incoming`."""
        return await self.api().post_incoming(conversation_id, content, echo_id)

    async def post_outgoing(
        self, conversation_id: int, content: str, *, private: bool = False
    ) -> int:
        """See `ChatwootApi.post_outgoing`."""
        return await self.api().post_outgoing(conversation_id, content, private=private)

    async def messages_after(self, conversation_id: int, after_id: int) -> list[ChatwootMessage]:
        """See `ChatwootApi.messages_after`."""
        return await self.api().messages_after(conversation_id, after_id)

    async def add_labels(self, conversation_id: int, labels: Sequence[str]) -> None:
        """See `ChatwootApi.add_labels`."""
        await self.api().add_labels(conversation_id, labels)

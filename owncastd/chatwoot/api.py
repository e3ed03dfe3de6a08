"""`ChatwootClient`: the `ChatwootApi` port over Chatwoot's REST API (seed Swagger endpoints only).

Paths are under `/api/v1/accounts/{account_id}`. A viewer is a contact with `identifier` set to
our viewer id, linked to our API inbox by a contact_inbox whose `source_id` we choose
(`owncast:<identifier>`), so a lost mapping is rebuilt from Chatwoot without duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from owncastd.chatwoot.parse import object_id, parse_message, payload_list
from owncastd.chatwoot.transport import DEFAULT_TIMEOUT, ChatwootHttp
from owncastd.core.chatwoot.ports import ChatwootMessage, ChatwootRejected

if TYPE_CHECKING:
    import httpx  # lazy: see transport.py

SOURCE_PREFIX = "owncast:"
MAX_CONTENT = 150_000  # Chatwoot's own cap on a message's content
PAGE_SIZE = 20  # messages per page of Chatwoot's message list
MAX_PAGES = 50  # 1,000 messages per conversation and reconcile at most


def source_id_for(identifier: str) -> str:
    """The contact_inbox source id we give a viewer (stable, so retries find the same one)."""
    return f"{SOURCE_PREFIX}{identifier}"


class ChatwootClient:
    """The bridge's Chatwoot, reached with an agent's (or admin's) access token."""

    def __init__(
        self,
        base_url: str,
        account_id: int,
        inbox_id: int,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.account_id = account_id
        self.inbox_id = inbox_id
        self._http = ChatwootHttp(base_url, token, timeout=timeout, transport=transport)
        self._prefix = f"/api/v1/accounts/{account_id}"

    def __repr__(self) -> str:  # never the token
        return f"ChatwootClient({self._http.base_url!r}, account={self.account_id})"

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self._http.call(method, f"{self._prefix}{path}", **kwargs)

    async def ensure_contact(self, identifier: str, name: str) -> tuple[int, str]:
        """Create the contact, or find it (by exact identifier) when Chatwoot already has it;
        link it to our inbox. Creating first spares a new viewer the search, which Chatwoot
        rate limits per account (100 a minute by default): the bridge only calls this for
        viewers it has no contact for. The create names our `source_id` for the inbox link
        Chatwoot makes with it, so the separate link call is only needed when the answer shows
        no such link (a Chatwoot that ignored it, or a contact that existed already)."""
        source_id = source_id_for(identifier)
        contact = await self._create_contact(identifier, name, source_id)
        contact_id = object_id(contact, "contact")
        if not _has_source(contact, self.inbox_id, source_id):
            await self._link(contact_id, source_id)
        return contact_id, source_id

    async def _find_contact(self, identifier: str) -> Mapping[str, Any] | None:
        found = await self._call("GET", "/contacts/search", params={"q": identifier})
        for contact in payload_list(found):
            # Chatwoot matches substrings: only an exact identifier is ours.
            if isinstance(contact, Mapping) and contact.get("identifier") == identifier:
                return contact
        return None

    async def _create_contact(
        self, identifier: str, name: str, source_id: str
    ) -> Mapping[str, Any]:
        body = {
            "inbox_id": self.inbox_id,
            "name": name,
            "identifier": identifier,
            "source_id": source_id,
        }
        try:
            return _contact_of(await self._call("POST", "/contacts", body=body))
        except ChatwootRejected as exc:
            # 422 "Identifier has already been taken": Chatwoot has it (our mapping was lost,
            # or an earlier attempt's answer was); use that one.
            if "answered 422" in str(exc) and (found := await self._find_contact(identifier)):
                return found
            raise

    async def _link(self, contact_id: int, source_id: str) -> None:
        body = {"inbox_id": self.inbox_id, "source_id": source_id}
        try:
            await self._call("POST", f"/contacts/{contact_id}/contact_inboxes", body=body)
        except ChatwootRejected as exc:
            if "answered 422" not in str(exc):  # 422: the link exists (source_id is unique)
                raise

    async def open_conversation(
        self,
        contact_id: int,
        source_id: str,
        conversation_id: int | None,
        labels: Sequence[str] = (),
    ) -> int:
        """Reopen `conversation_id` when Chatwoot still has it, else create one; both open.

        A new conversation is asked for as `open` (the seed's `status`); Chatwoot versions
        that start every conversation of a bot's inbox as `pending` whatever was asked
        answer so, and only then is it toggled open (one call and one webhook fewer per new
        viewer where the request is honoured)."""
        if conversation_id is not None and await self._reopen(conversation_id):
            result = conversation_id
        else:
            body = {
                "source_id": source_id,
                "inbox_id": str(self.inbox_id),
                "contact_id": str(contact_id),
                "status": "open",
            }
            created = await self._call("POST", "/conversations", body=body)
            result = object_id(created, "create conversation")
            if not (isinstance(created, Mapping) and created.get("status") == "open"):
                # An inbox with a bot starts conversations as "bot"/"pending": hand them to
                # the team, which answers in Chatwoot.
                await self._reopen(result)
        if labels:
            await self.add_labels(result, labels)
        return result

    async def _reopen(self, conversation_id: int) -> bool:
        """Set the conversation open; False when Chatwoot no longer has it (404)."""
        try:
            await self._call(
                "POST", f"/conversations/{conversation_id}/toggle_status", body={"status": "open"}
            )
        except ChatwootRejected as exc:
            if "answered 404" in str(exc):
                return False
            raise
        return True

    async def post_incoming(self, conversation_id: int, content: str, echo_id: str) -> int:
        """Post a viewer's message as the contact's; returns Chatwoot's message id."""
        body = {"content": content[:MAX_CONTENT], "message_type": "incoming", "echo_id": echo_id}
        answer = await self._call("POST", f"/conversations/{conversation_id}/messages", body=body)
        return object_id(answer, "create message")

    async def post_outgoing(
        self, conversation_id: int, content: str, *, private: bool = False
    ) -> int:
        """Post as us (a private note when `private`); returns Chatwoot's message id."""
        body = {"content": content[:MAX_CONTENT], "message_type": "outgoing", "private": private}
        answer = await self._call("POST", f"/conversations/{conversation_id}/messages", body=body)
        return object_id(answer, "create message")

    async def messages_after(self, conversation_id: int, after_id: int) -> list[ChatwootMessage]:
        """Messages with an id above `after_id`, oldest first.

        Chatwoot answers the newest page (20) of messages, those below `before` when given;
        newer versions also honour `after`. Pages are read backwards until one reaches
        `after_id` or is not full, so a long absence misses nothing.
        """
        path = f"/conversations/{conversation_id}/messages"
        found: dict[int, ChatwootMessage] = {}
        params: dict[str, str | int] = {"after": after_id}
        for _ in range(MAX_PAGES):
            page = [parse_message(raw, conversation_id) for raw in
                    payload_list(await self._call("GET", path, params=params))]  # fmt: skip
            ids = [m.id for m in page if m is not None]
            found.update((m.id, m) for m in page if m is not None and m.id > after_id)
            if len(page) < PAGE_SIZE or not ids or min(ids) <= after_id + 1:
                break
            params = {"after": after_id, "before": min(ids)}
        return [found[key] for key in sorted(found)]

    async def add_labels(self, conversation_id: int, labels: Sequence[str]) -> None:
        """Add labels (Chatwoot's call replaces the list, so the current ones are kept)."""
        path = f"/conversations/{conversation_id}/labels"
        current = await self._call("GET", path)
        have = [str(x) for x in payload_list(current)]
        wanted = have + [label for label in labels if label not in have]
        if wanted != have:
            await self._call("POST", path, body={"labels": wanted})


def _contact_of(created: Any) -> Mapping[str, Any]:
    """The contact in a create answer: the 2021 contact JSON, or newer `payload.contact`."""
    if isinstance(created, Mapping):
        payload = created.get("payload")
        if isinstance(payload, Mapping) and isinstance(payload.get("contact"), Mapping):
            contact: Mapping[str, Any] = payload["contact"]
            return contact
        return created
    return {}


def _has_source(contact: Mapping[str, Any], inbox_id: int, source_id: str) -> bool:
    links = contact.get("contact_inboxes")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, Mapping) or link.get("source_id") != source_id:
            continue
        inbox = link.get("inbox")
        if isinstance(inbox, Mapping) and inbox.get("id") == inbox_id:
            return True
    return False

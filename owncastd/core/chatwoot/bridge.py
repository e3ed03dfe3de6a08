"""The bridge between viewers' private threads and Chatwoot (issue 15).

Viewer messages are rate limited (per viewer: chat's budget; all viewers: a global cap), written
to the outbox before the viewer is answered and sent by the :class:`OutboxWorker`. Agent
replies (webhook or reconcile) are recorded once per Chatwoot id and pushed to that viewer's
sockets only; private notes, incoming messages (our own echo) and bot messages never leave.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import trio

from owncastd.core.budget import TokenBucket
from owncastd.core.chat.pipeline import chat_rate_limit
from owncastd.core.chatwoot.outbox import OutboxWorker
from owncastd.core.chatwoot.ports import ChatwootApi, ChatwootError, ChatwootMessage
from owncastd.core.chatwoot.records import (
    ESCALATION,
    HANDLED,
    QUEUED,
    RECEIVED,
    RELAY,
    REPLY,
    VIEWER,
    BridgeRepository,
    Conversation,
    OutboxRow,
    ThreadEntry,
)
from owncastd.core.chatwoot.settings import BridgeSettings
from owncastd.core.chatwoot.webhook import MessageEvent, StatusEvent, WebhookEvent

if TYPE_CHECKING:
    from owncastd.core.chatwoot.escalation import Escalations

log = logging.getLogger(__name__)

EVENT_TYPE = "CHATWOOT_MESSAGE"  # websocket event: one message of the viewer's private thread
MAX_CONTENT = 2000
THREAD_LIMIT = 200
MAX_TRACKED_VIEWERS = 10_000

# Agent messages acted on in an escalation / the relay conversation: (conversation, message).
Handler = Callable[[int, ChatwootMessage], Awaitable[None]]


class Refused(Exception):
    """A viewer's message was not accepted; `status` is the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ViewerSink(Protocol):
    """Delivers an event to every open chat socket of one user; returns how many."""

    def __call__(self, user_id: str, event: dict[str, Any]) -> int: ...


class ChatwootBridge:
    """Private threads, the outbox worker, webhook events and the reconcile timer."""

    def __init__(
        self,
        repo: BridgeRepository,
        api: ChatwootApi,
        settings: Callable[[], BridgeSettings],
        viewers: ViewerSink,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = trio.current_time,
    ) -> None:
        self.repo = repo
        self._api = api
        self._settings = settings
        self.settings = settings
        self._viewers = viewers
        self._clock = clock
        self._monotonic = monotonic
        self.worker = OutboxWorker(repo, api, clock, concurrency=settings().concurrency)
        self._buckets: dict[str, TokenBucket] = {}
        self._global: TokenBucket | None = None
        self.escalation_handler: Handler | None = None  # agent commands (moderation)
        self.relay_handler: Handler | None = None  # public relay
        self.escalations: Escalations | None = None  # set by the composition root

    @property
    def enabled(self) -> bool:
        return self._settings().enabled

    @property
    def queued(self) -> int:
        """Messages waiting in the outbox for Chatwoot (`ChatwootStatusSource`)."""
        return self.worker.queued

    @property
    def last_error(self) -> str | None:
        """The last Chatwoot call's error, None when the last call worked."""
        return self.worker.last_error

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """The outbox worker and the reconcile timer, until cancelled."""
        async with trio.open_nursery() as nursery:
            await nursery.start(self.worker.run)
            if self.escalations is not None:
                await nursery.start(self.escalations.run)
            nursery.start_soon(self._reconcile_loop)
            task_status.started()

    # ---- viewers -------------------------------------------------------------------------

    async def submit(self, user_id: str, name: str, content: str) -> ThreadEntry:
        """Queue a viewer's message (durably, before returning); Refused when not accepted."""
        if not self.enabled:
            raise Refused(404, "the team inbox is not enabled")
        content = content.strip()
        if not content or len(content) > MAX_CONTENT:
            raise Refused(400, f"a message must have 1 to {MAX_CONTENT} characters")
        self._check_rate(user_id)
        row = OutboxRow(
            id=secrets.token_urlsafe(12),
            kind=VIEWER,
            user_id=user_id,
            content=content,
            created_at=self._clock(),
            next_attempt=self._clock(),
            name=name,
        )
        await self.repo.enqueue(row)
        self.worker.queued += 1
        self.worker.kick()
        entry = ThreadEntry(row.id, "viewer", content, (), row.created_at, QUEUED)
        self._viewers(user_id, {"type": EVENT_TYPE, **entry.to_json()})  # their other devices
        return entry

    def _check_rate(self, user_id: str) -> None:
        now = self._monotonic()
        per_minute = max(1, self._settings().global_messages_per_minute)
        if self._global is None or self._global.rate != per_minute / 60:
            self._global = TokenBucket(per_minute, per_minute / 60, now=-math.inf)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_VIEWERS:
                self._buckets = {k: b for k, b in self._buckets.items() if b.tokens(now) < b.burst}
            bucket = self._buckets[user_id] = chat_rate_limit()
        if bucket.tokens(now) < 1.0:
            raise Refused(429, "You are sending messages too quickly. Please wait a moment.")
        if not self._global.allow(now):
            raise Refused(429, "The team is receiving too many messages. Please try again soon.")
        bucket.spend(1.0, now)

    async def thread(self, user_id: str) -> list[ThreadEntry]:
        """The viewer's private thread, oldest first."""
        return await self.repo.thread(user_id, THREAD_LIMIT)

    # ---- Chatwoot → owncastd -------------------------------------------------------------

    async def on_event(self, event: WebhookEvent) -> str:
        """Act on a webhook event; returns what was done (for logs and tests)."""
        if isinstance(event, StatusEvent):
            await self.repo.set_status(event.conversation_id, event.status)
            return "status"
        assert isinstance(event, MessageEvent)
        outcome = await self.on_message(event.message)
        if event.conversation_status is not None:
            known = await self.repo.conversation(event.message.conversation_id)
            if known is not None and known.status != event.conversation_status:
                await self.repo.set_status(known.conversation_id, event.conversation_status)
        return outcome

    async def on_message(self, message: ChatwootMessage) -> str:
        """An agent's message, from a webhook or the reconcile: delivered once."""
        if message.message_type != "outgoing" or message.private:
            return "ignored"
        if message.sender_type != "user":  # our own bot (no echo loop), other bots
            return "ignored"
        cid = message.conversation_id
        settings = self._settings()
        if settings.relay_conversation_id and cid == settings.relay_conversation_id:
            return await self._handle(HANDLED, "", message, self.relay_handler)
        conversation = await self.repo.conversation(cid)
        if conversation is None:
            return "ignored"
        if conversation.kind == ESCALATION:
            return await self._handle(HANDLED, "", message, self.escalation_handler)
        entry = _reply_entry(message)
        if not await self.repo.claim(entry, REPLY, conversation.user_id, message.id):
            return "replay"
        await self.repo.advance_cursor(cid, message.id)
        reached = self._viewers(conversation.user_id, {"type": EVENT_TYPE, **entry.to_json()})
        log.info("chatwoot reply delivered conversation=%d sockets=%d", cid, reached)
        return "delivered"

    async def _handle(
        self, kind: str, user_id: str, message: ChatwootMessage, handler: Handler | None
    ) -> str:
        if handler is None:
            return "ignored"
        if not await self.repo.claim(_reply_entry(message), kind, user_id, message.id):
            return "replay"
        await self.repo.advance_cursor(message.conversation_id, message.id)
        await handler(message.conversation_id, message)
        return "handled"

    async def reconcile(self) -> int:
        """Fetch messages missed in open conversations; returns how many were new."""
        if not self.enabled:
            return 0
        done = 0
        relay = self._settings().relay_conversation_id
        if relay and await self.repo.conversation(relay) is None:  # reconciled like the rest
            await self.repo.save_conversation(Conversation(relay, "", RELAY))
        for conversation in await self.repo.open_conversations():
            cid = conversation.conversation_id
            try:
                messages = await self._api.messages_after(cid, conversation.cursor)
            except ChatwootError as exc:
                log.info("chatwoot reconcile failed conversation=%d error=%s", cid, exc)
                continue
            for message in messages:
                if await self.on_message(message) in ("delivered", "handled"):
                    done += 1
            if messages:
                await self.repo.advance_cursor(cid, max(m.id for m in messages))
        return done

    async def _reconcile_loop(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("chatwoot reconcile failed")
            await trio.sleep(max(1.0, self._settings().reconcile_seconds))


def _reply_entry(message: ChatwootMessage) -> ThreadEntry:
    return ThreadEntry(
        id=f"cw{message.id}",
        author="agent",
        content=message.content or "",
        attachments=message.attachments,
        created_at=float(message.created_at),
        status=RECEIVED,
        sender_name=message.sender_name or "",
    )

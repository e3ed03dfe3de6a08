"""The worker that drains the persistent outbox towards Chatwoot.

Rows are written before the viewer is answered (write-ahead), sent in order per viewer, a few
viewers at once, retried with exponential backoff while Chatwoot is unavailable and marked failed
when Chatwoot rejects them. A row is marked `sending` (with the conversation's last seen message
id) before its post, and `sent` with Chatwoot's id after it: a row found `sending` (the daemon
died mid-post, or the post timed out) is looked up among the conversation's newer messages before
it is posted again, so nothing is delivered twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import trio

from owncastd.core.chatwoot.ports import (
    ChatwootApi,
    ChatwootRejected,
    ChatwootUnavailable,
)
from owncastd.core.chatwoot.records import (
    CONFIRMATION,
    ESCALATION,
    QUEUED,
    SENDING,
    BridgeRepository,
    Contact,
    Conversation,
    OutboxRow,
)

log = logging.getLogger(__name__)

ESCALATION_LABEL = "owncast-escalation"
BATCH = 200
STORE_RETRY = 5.0  # seconds before the worker reads the queue again after a database error


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1: `first` * 2**(n-1), at most `most` seconds."""

    first: float = 1.0
    most: float = 300.0

    def delay(self, attempts: int) -> float:
        return float(min(self.most, self.first * 2 ** max(0, attempts - 1)))


def _groups(rows: list[OutboxRow]) -> dict[str, list[OutboxRow]]:
    """Rows by viewer, in order (a confirmation is a group of its own)."""
    by_user: dict[str, list[OutboxRow]] = {}
    for row in rows:
        by_user.setdefault(row.user_id if row.kind != CONFIRMATION else row.id, []).append(row)
    return by_user


def contact_identifier(user_id: str) -> str:
    """The Chatwoot contact identifier of an Owncast chat user."""
    return f"owncast:{user_id}"


class OutboxWorker:
    """Sends queued rows; `kick()` after enqueueing wakes it."""

    def __init__(
        self,
        repo: BridgeRepository,
        api: ChatwootApi,
        clock: Callable[[], float],
        *,
        concurrency: int = 4,
        backoff: Backoff | None = None,
        store_retry: float = STORE_RETRY,
    ) -> None:
        self._repo = repo
        self._api = api
        self._clock = clock
        self._limiter = trio.CapacityLimiter(max(1, concurrency))
        self._backoff = backoff or Backoff()
        self._store_retry = store_retry
        self._wake = trio.Event()
        self._busy: set[str] = set()  # viewers (or confirmations) with a group being sent
        self.sent = 0  # rows delivered since start (for tests and status)
        self.queued = 0  # rows waiting for Chatwoot (as of the last look at the queue)
        self.last_error: str | None = None  # the last Chatwoot call's error; None: it worked

    def kick(self) -> None:
        """New rows are due: look now."""
        self._wake.set()
        self._wake = trio.Event()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Send due rows until cancelled; at start every unsent row is tried at once (a
        restart is as good a moment as any to retry). Each viewer's rows go as one group, a
        new group as soon as it is due: a slow viewer holds up only their own rows (a batch
        waiting for its slowest viewer kept the others' slots idle)."""
        task_status.started()
        now = float("inf")
        async with trio.open_nursery() as groups:
            while True:
                wake = self._wake
                due: float | None = None
                try:
                    rows = await self._repo.due(now, BATCH)
                    now = self._clock()
                    if self._start_groups(groups, rows):
                        continue
                    if not self._busy:
                        await self.refresh_count()
                        due = await self._repo.next_due()
                except Exception:  # the database failing (disk full…) must not stop the daemon
                    log.exception("chatwoot outbox failed; again in %.0f s", self._store_retry)
                    await trio.sleep(self._store_retry)
                    continue
                # While groups run, each one's end wakes the loop (their viewers' later rows).
                delay = float("inf") if self._busy or due is None else due - self._clock()
                with trio.move_on_after(max(0.0, delay)):
                    await wake.wait()

    def _start_groups(self, nursery: trio.Nursery, rows: list[OutboxRow]) -> bool:
        """Start a group for each viewer in `rows` that has none running; whether any was."""
        started = False
        for key, group in _groups(rows).items():
            if key not in self._busy:
                self._busy.add(key)
                nursery.start_soon(self._run_group, key, group)
                started = True
        return started

    async def _run_group(self, key: str, rows: list[OutboxRow]) -> None:
        try:
            await self._send_group(rows)
        except Exception:  # the database failing mid-group: that viewer again later
            log.exception("chatwoot outbox failed; again in %.0f s", self._store_retry)
            await trio.sleep(self._store_retry)
        finally:
            self._busy.discard(key)
            self.kick()

    async def refresh_count(self) -> None:
        """Re-read how many rows wait (`queued`)."""
        counts = (await self._repo.queue_status()).counts
        self.queued = counts.get(QUEUED, 0) + counts.get(SENDING, 0)

    async def send_all(self, rows: list[OutboxRow]) -> None:
        """Send rows, in order for each viewer, several viewers at once."""
        async with trio.open_nursery() as nursery:
            for group in _groups(rows).values():
                nursery.start_soon(self._send_group, group)

    async def _send_group(self, rows: list[OutboxRow]) -> None:
        async with self._limiter:
            for row in rows:
                if not await self._attempt(row):
                    return  # keep this viewer's order: the rest waits for the retry

    async def _attempt(self, row: OutboxRow) -> bool:
        try:
            await self._deliver(row)
        except ChatwootRejected as exc:
            log.warning("chatwoot rejected a queued message row=%s error=%s", row.id, exc)
            self.last_error = str(exc)[:500]
            await self._repo.mark_failed(row.id, self.last_error)
            return True
        except Exception as exc:  # ChatwootUnavailable and anything unexpected: retry later
            self.last_error = str(exc)[:500] or type(exc).__name__
            attempts = row.attempts + 1
            at = self._clock() + self._backoff.delay(attempts)
            if not isinstance(exc, ChatwootUnavailable):
                log.exception("chatwoot delivery failed unexpectedly row=%s", row.id)
            else:
                log.info("chatwoot unavailable row=%s attempts=%d error=%s", row.id, attempts, exc)
            await self._repo.mark_retry(row.id, attempts, at, self.last_error)
            return False
        self.sent += 1
        self.last_error = None
        return True

    async def _deliver(self, row: OutboxRow) -> None:
        if row.kind == CONFIRMATION:
            assert row.conversation_id is not None
            posted = await self._api.post_outgoing(row.conversation_id, row.content, private=True)
            await self._repo.mark_sent(row.id, row.conversation_id, posted)
            return
        conversation = await self._conversation_for(row)
        cid = conversation.conversation_id
        if row.status == SENDING and row.conversation_id == cid:
            found = await self._already_posted(row)
            if found is not None:
                log.info("chatwoot message was already posted row=%s id=%d", row.id, found)
                await self._repo.mark_sent(row.id, cid, found)
                return
        await self._repo.mark_sending(row.id, cid, conversation.cursor)
        if row.kind == ESCALATION:
            posted = await self._api.post_outgoing(cid, row.content, private=True)
        else:
            posted = await self._api.post_incoming(cid, row.content, echo_id=row.id)
        await self._repo.mark_sent(row.id, cid, posted)

    async def _already_posted(self, row: OutboxRow) -> int | None:
        """The Chatwoot id of this row's message if an earlier attempt posted it."""
        assert row.conversation_id is not None
        known = await self._repo.known_ids(row.conversation_id)
        kind = "outgoing" if row.kind == ESCALATION else "incoming"
        for message in await self._api.messages_after(row.conversation_id, row.cursor):
            if message.id in known or message.message_type != kind:
                continue
            if (message.content or "") == row.content:
                return message.id
        return None

    async def _conversation_for(self, row: OutboxRow) -> Conversation:
        """The viewer's open conversation (created, or reopened when resolved); a new one
        for an escalation."""
        contact = await self._contact_for(row)
        if row.kind == ESCALATION:
            if row.conversation_id is not None:
                known = await self._repo.conversation(row.conversation_id)
                if known is not None:
                    return known
            cid = await self._api.open_conversation(
                contact.contact_id, contact.source_id, None, labels=(ESCALATION_LABEL,)
            )
            conversation = Conversation(cid, row.user_id, ESCALATION, message_id=row.subject)
            await self._repo.save_conversation(conversation)
            return conversation
        current = await self._repo.conversation_of(row.user_id)
        if current is not None and current.status not in ("resolved", "snoozed"):
            return current
        cid = await self._api.open_conversation(
            contact.contact_id,
            contact.source_id,
            None if current is None else current.conversation_id,
        )
        cursor = current.cursor if current is not None and current.conversation_id == cid else 0
        conversation = Conversation(cid, row.user_id, "viewer", "open", cursor)
        await self._repo.save_conversation(conversation)
        return conversation

    async def _contact_for(self, row: OutboxRow) -> Contact:
        contact = await self._repo.contact(row.user_id)
        if contact is None:
            contact_id, source_id = await self._api.ensure_contact(
                contact_identifier(row.user_id), row.name or row.user_id
            )
            contact = Contact(row.user_id, contact_id, source_id)
            await self._repo.save_contact(contact)
        return contact

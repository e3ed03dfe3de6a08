"""The delivery queue: :meth:`DeliveryQueue.send` stores one row per (activity, inbox) and
returns; :meth:`DeliveryQueue.run` posts due rows with a bounded worker pool.

Outcomes (Owncast develop §1.5, with a durable queue): 2xx is delivered; another 3xx/4xx but
429 is dropped with a log line (the remote refused it, retrying won't help); 429, 5xx, a
timeout or a connection failure is retried. A failure opens the host's breaker (1, 5, 15, 30,
60 min) and moves all its rows' `next_attempt` past it; the failed row itself also waits at
least its own next step (by its attempts), so the backoff survives a restart.
A row still failing `give_up_after` seconds after it was queued is dropped with a warning.
At most `per_host` requests go to one host at once, so a hanging instance holds only those
slots (each request has a deadline) and never delays the other hosts. Bodies are signed when
posted, so the Date header is fresh on every attempt.

Due rows are read from SQLite in blocks (up to `block` of them, `block_per_host` of a host) and
kept in memory until a worker takes them, so a fan-out to a thousand inboxes costs a few queries
rather than one per delivery. A block is read again only when the buffer runs low and the last
read may have left rows behind, or when new rows were queued or a wait ended.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import trio

from owncastd.core.federation.ports import FederationError
from owncastd.federation.delivery.breaker import BACKOFF_SECONDS, HostBreaker

log = logging.getLogger(__name__)

BODY_GRACE_SECONDS = 3600.0


class QueuedRow(Protocol):
    """One due delivery (:class:`owncastd.store.federation_deliveries.QueuedDelivery`)."""

    @property
    def id(self) -> int: ...
    @property
    def inbox(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def created_at(self) -> float: ...
    @property
    def body(self) -> bytes: ...


class DeliveryRows(Protocol):
    """The queue's storage (:class:`owncastd.store.federation_deliveries.DeliveryStore`)."""

    async def add(
        self, activity: str, body: bytes, targets: Sequence[tuple[str, str]], now: float
    ) -> None: ...

    async def due(
        self,
        now: float,
        per_host: int,
        skip_ids: Collection[int],
        skip_hosts: Collection[str],
        limit: int,
    ) -> Sequence[QueuedRow]: ...

    async def next_due(
        self, skip_ids: Collection[int], skip_hosts: Collection[str]
    ) -> float | None: ...

    async def finish(self, delivery_id: int) -> None: ...

    async def retry(self, delivery_id: int, at: float, error: str) -> None: ...

    async def hold_host(self, host: str, until: float) -> None: ...

    async def forget_bodies(self, before: float) -> None: ...


class Poster(Protocol):
    """Signs and POSTs a body (:class:`owncastd.federation.signed_http.SignedHttp`)."""

    async def post_activity(self, inbox: str, body: bytes) -> int: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    """How many requests at once (in all, and to one host), the breaker's steps, and when a
    failing delivery is given up."""

    workers: int = 16
    per_host: int = 4
    block: int = 256
    block_per_host: int = 64
    backoff: tuple[float, ...] = BACKOFF_SECONDS
    give_up_after: float = 24 * 3600.0


@dataclass
class DeliveryCounts:
    """What the queue did since start (for status, metrics and tests)."""

    delivered: int = 0
    dropped: int = 0
    retried: int = 0
    gave_up: int = 0
    by_host: Counter[str] = field(default_factory=Counter)


class DeliveryQueue:
    """A persistent ActivitySender: `send` queues, `run` delivers."""

    def __init__(
        self,
        rows: DeliveryRows,
        poster: Poster,
        *,
        policy: DeliveryPolicy | None = None,
        allow_private: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._rows, self._poster = rows, poster
        self.policy = policy or DeliveryPolicy()
        self._allow_private = allow_private
        self._clock = clock
        self._breaker = HostBreaker(self.policy.backoff)
        self._in_flight: dict[int, str] = {}
        self._per_host: Counter[str] = Counter()
        self._ready: dict[str, deque[QueuedRow]] = {}  # due rows read but not started, by host
        self._ready_ids: set[int] = set()
        self._more = True  # rows may be due that are not in `_ready`: read again
        self._wakeup = trio.Event()
        self.counts = DeliveryCounts()

    async def send(self, activity: Mapping[str, Any], inboxes: Sequence[str]) -> None:
        """Queue `activity` for each distinct inbox (refused destinations are skipped and
        logged); returns once the rows are committed."""
        from owncastd.federation.signed_http import check_destination  # cryptography: lazily

        targets = []
        for inbox in dict.fromkeys(inboxes):
            try:
                check_destination(inbox, allow_private=self._allow_private())
            except FederationError as exc:
                log.info("federation delivery skipped: %s", exc)
                continue
            targets.append((inbox, urlsplit(inbox).netloc.lower()))
        if not targets:
            return
        body = json.dumps(activity, separators=(",", ":")).encode()
        await self._rows.add(uuid.uuid4().hex, body, targets, self._clock())
        self._more = True
        self._wakeup.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Deliver due rows until cancelled (rows queued before a restart included)."""
        async with trio.open_nursery() as nursery:
            task_status.started()
            while True:
                self._wakeup = trio.Event()
                started = await self._dispatch(nursery)
                if started and len(self._in_flight) < self.policy.workers:
                    continue
                with trio.move_on_at(await self._next_wakeup()) as waited:
                    await self._wakeup.wait()
                if waited.cancelled_caught:  # rows may have come due: read them
                    self._more = True

    async def _dispatch(self, nursery: trio.Nursery) -> int:
        if len(self._in_flight) >= self.policy.workers:
            return 0
        if self._more and self._startable() < self.policy.workers - len(self._in_flight):
            await self._read_block()
        now = self._clock()
        started = 0
        for host in list(self._ready):
            until = self._breaker.open_until(host, now)
            if until is not None:
                self._unbuffer(host)
                await self._rows.hold_host(host, until)
                continue
            rows = self._ready[host]
            while rows and self._per_host[host] < self.policy.per_host:
                if len(self._in_flight) >= self.policy.workers:
                    return started
                row = rows.popleft()
                self._ready_ids.discard(row.id)
                self._in_flight[row.id] = host
                self._per_host[host] += 1
                nursery.start_soon(self._deliver, row)
                started += 1
            if not rows:
                del self._ready[host]
        return started

    async def _read_block(self) -> None:
        """Buffer the due rows not yet buffered nor being sent (oldest first)."""
        policy = self.policy
        skip = self._ready_ids | self._in_flight.keys()
        due = await self._rows.due(self._clock(), policy.block_per_host, skip, (), policy.block)
        by_host = Counter(row.host for row in due)
        self._more = len(due) >= policy.block or any(
            n >= policy.block_per_host for n in by_host.values()
        )
        for row in due:
            if row.id not in self._ready_ids and row.id not in self._in_flight:
                self._ready.setdefault(row.host, deque()).append(row)
                self._ready_ids.add(row.id)

    def _startable(self) -> int:
        """How many buffered rows are for hosts with a free slot."""
        cap = self.policy.per_host
        return sum(len(rows) for host, rows in self._ready.items() if self._per_host[host] < cap)

    def _unbuffer(self, host: str) -> None:
        """Forget `host`'s buffered rows (its breaker opened: they wait in SQLite)."""
        for row in self._ready.pop(host, ()):
            self._ready_ids.discard(row.id)

    async def _next_wakeup(self) -> float:
        """The trio time to look again when nothing wakes us before: the next `next_attempt`."""
        if len(self._in_flight) >= self.policy.workers:  # a finished delivery wakes us
            return math.inf
        waiting = self._ready_ids | self._in_flight.keys()  # buffered rows wait for busy hosts
        next_due = await self._rows.next_due(waiting, self._full_hosts())
        if next_due is None:
            if not self._in_flight:
                # Not the bodies just queued: their rows may still be on their way in.
                await self._rows.forget_bodies(self._clock() - BODY_GRACE_SECONDS)
            return math.inf
        wait = next_due - self._clock()
        if wait <= 0:  # due but waiting for a free slot: a finished delivery wakes us
            self._more = True
            return math.inf if self._in_flight else trio.current_time() + 1.0
        return trio.current_time() + wait

    def _full_hosts(self) -> set[str]:
        return {host for host, n in self._per_host.items() if n >= self.policy.per_host}

    async def _deliver(self, row: QueuedRow) -> None:
        try:
            try:
                status: int | None = await self._poster.post_activity(row.inbox, row.body)
                error = f"status {status}"
            except FederationError as exc:
                status, error = None, str(exc)
            await self._settle(row, status, error)
        except Exception:  # the store failing: the row stays queued and is tried again
            log.exception("federation delivery bookkeeping failed host=%s", row.host)
        finally:
            del self._in_flight[row.id]
            self._per_host[row.host] -= 1
            if not self._per_host[row.host]:
                del self._per_host[row.host]
            self._wakeup.set()

    async def _settle(self, row: QueuedRow, status: int | None, error: str) -> None:
        if status is not None and 200 <= status < 300:
            self._breaker.success(row.host)
            await self._rows.finish(row.id)
            self.counts.delivered += 1
            self.counts.by_host[row.host] += 1
            return
        if status is not None and status < 500 and status != 429:
            self._breaker.success(row.host)  # the host is up; it refused this one
            log.info("federation delivery dropped host=%s status=%d", row.host, status)
            await self._rows.finish(row.id)
            self.counts.dropped += 1
            return
        now = self._clock()
        # The host's breaker, and never sooner than this row's own next backoff step.
        steps = self.policy.backoff
        own = now + steps[min(row.attempts, len(steps) - 1)]
        until = max(self._breaker.failure(row.host, now), own)
        if now - row.created_at >= self.policy.give_up_after:
            log.warning("federation delivery given up host=%s error=%s", row.host, error)
            await self._rows.finish(row.id)
            self.counts.gave_up += 1
            return
        log.info(
            "federation delivery failed host=%s error=%s retry_in=%.0fs",
            row.host,
            error,
            until - now,
        )
        await self._rows.retry(row.id, until, error)
        self.counts.retried += 1
        await self._rows.hold_host(row.host, self._breaker.open_until(row.host, now) or until)

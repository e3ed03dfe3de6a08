"""Webhook delivery: a bounded queue drained by a fixed pool of trio workers over httpx.

Event sources only call :meth:`WebhookSender.submit`, which never waits: a full queue drops
the delivery with a WARNING (at most one line per `DROP_LOG_INTERVAL` seconds). Each worker
POSTs one delivery at a time (so at most `workers` requests are in flight), each attempt
signed afresh (`owncast-signature`) and bounded by `timeout` seconds overall. Anything but a
2xx is a failure (redirects are not followed); a failed attempt is retried after `backoff`
seconds, doubling each time, up to `attempts` tries. The final failure is a WARNING, which the
admin sees in `/api/admin/logs/warnings`. URLs are never logged (they may hold secrets): the
webhook's id and host are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import trio

from owncastd.core.log_tally import LogTally
from owncastd.core.webhooks import SIGNATURE_HEADER, Webhook, signature

if TYPE_CHECKING:
    import httpx  # imported on the first delivery: ~0.04 s of startup nobody needs otherwise
    from prometheus_client.core import Metric

log = logging.getLogger(__name__)

DROP_LOG_INTERVAL = 10.0


@dataclass(frozen=True)
class DeliveryPolicy:
    """Timeouts, retries and bounds of delivery."""

    timeout: float = 5.0  # seconds per attempt, connect to status line
    attempts: int = 3
    backoff: float = 1.0  # seconds before the second attempt; doubles after each failure
    workers: int = 10  # requests in flight at most
    queue_size: int = 1000  # deliveries waiting at most


@dataclass(frozen=True)
class Delivery:
    """One event body for one webhook."""

    hook: Webhook
    event_type: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    """How one attempt went."""

    ok: bool
    status: int | None
    error: str
    seconds: float

    def describe(self) -> str:
        """`answered 200 in 12 ms`, `answered HTTP 500 in 3 ms`, `did not answer within 5 s`…"""
        if self.status is not None:
            verb = "answered" if self.ok else "answered HTTP"
            return f"{verb} {self.status} in {self.seconds * 1000:.0f} ms"
        return self.error


@dataclass
class DeliveryCounts:
    """Totals since start (Prometheus reads them)."""

    delivered: int = 0
    failed: int = 0
    retried: int = 0
    dropped: int = 0
    _drop_tally: LogTally = field(default_factory=lambda: LogTally(DROP_LOG_INTERVAL), repr=False)


class WebhookSender:
    """Queues deliveries and runs the workers that send them."""

    def __init__(
        self,
        policy: DeliveryPolicy | None = None,
        *,
        on_delivered: Callable[[Webhook], None] = lambda hook: None,
        on_attempt: Callable[[Webhook, str, Outcome], None] = lambda hook, kind, outcome: None,
        still_wanted: Callable[[Webhook], bool] = lambda hook: True,
        user_agent: str = "owncastd-webhooks",
        unix_time: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy or DeliveryPolicy()
        self.counts = DeliveryCounts()
        self._on_delivered = on_delivered
        self._on_attempt = on_attempt
        self._still_wanted = still_wanted
        self._user_agent = user_agent
        self._unix_time = unix_time
        self._transport = transport
        self._send, self._receive = trio.open_memory_channel[Delivery](self.policy.queue_size)
        self._client: httpx.AsyncClient | None = None

    def submit(self, delivery: Delivery) -> bool:
        """Queue a delivery without waiting; False (and a rate-limited WARNING) when full."""
        try:
            self._send.send_nowait(delivery)
        except trio.WouldBlock:
            self._note_drop(delivery)
            return False
        return True

    @property
    def queued(self) -> int:
        """Deliveries waiting for a worker."""
        return self._send.statistics().current_buffer_used

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the workers until cancelled; the shared HTTP client is opened by the first
        delivery and closed here."""
        try:
            async with trio.open_nursery() as nursery:
                for _ in range(self.policy.workers):
                    nursery.start_soon(self._worker)
                task_status.started()
                await trio.sleep_forever()
        finally:
            client, self._client = self._client, None
            if client is not None:
                with trio.move_on_after(5, shield=True):
                    await client.aclose()

    async def attempt(self, hook: Webhook, event_type: str, body: bytes) -> Outcome:
        """POST `body` to `hook` once (the admin's test route)."""
        if self._client is not None:
            return await self._post(self._client, hook, event_type, body)
        async with self._new_client() as client:
            return await self._post(client, hook, event_type, body)

    def _shared_client(self) -> httpx.AsyncClient:
        """The workers' keep-alive client, made on first use."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> httpx.AsyncClient:
        import httpx  # lazy: see the TYPE_CHECKING import

        limit = self.policy.workers + 2
        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            headers={"User-Agent": self._user_agent},
            transport=self._transport,
        )

    async def _worker(self) -> None:
        async for delivery in self._receive:
            try:
                await self._deliver(delivery)
            except Exception:  # one bad delivery must never stop a worker
                self.counts.failed += 1
                log.exception("webhook delivery crashed id=%d", delivery.hook.id)

    async def _deliver(self, delivery: Delivery) -> None:
        policy, hook = self.policy, delivery.hook
        outcome: Outcome | None = None
        for number in range(1, policy.attempts + 1):
            if number > 1:
                delay = policy.backoff * 2 ** (number - 2)
                log.info(
                    "webhook attempt failed; retrying id=%d host=%s type=%s attempt=%d/%d "
                    "result=%r retry_in=%.1fs",
                    hook.id,
                    hook.host,
                    delivery.event_type,
                    number - 1,
                    policy.attempts,
                    outcome.describe() if outcome else "",
                    delay,
                )
                self.counts.retried += 1
                await trio.sleep(delay)
            if not self._still_wanted(hook):
                return  # deleted meanwhile
            outcome = await self._post(
                self._shared_client(), hook, delivery.event_type, delivery.body
            )
            self._on_attempt(hook, delivery.event_type, outcome)
            if outcome.ok:
                self.counts.delivered += 1
                self._on_delivered(hook)
                return
        self.counts.failed += 1
        log.warning(
            "webhook delivery failed id=%d host=%s type=%s attempts=%d result=%r",
            hook.id,
            hook.host,
            delivery.event_type,
            policy.attempts,
            outcome.describe() if outcome else "",
        )

    async def _post(
        self, client: httpx.AsyncClient, hook: Webhook, event_type: str, body: bytes
    ) -> Outcome:
        import httpx  # already loaded by _new_client

        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(hook.secret, int(self._unix_time()), body),
        }
        started = trio.current_time()
        status: int | None = None
        error = ""
        with trio.move_on_after(self.policy.timeout) as deadline:
            try:
                # Streamed so a huge answer is never read: only the status line matters.
                async with client.stream("POST", hook.url, content=body, headers=headers) as r:
                    status = r.status_code
            except httpx.TimeoutException:
                error = f"did not answer within {self.policy.timeout:g} s"
            except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
                error = f"could not be reached ({type(exc).__name__}: {exc})"[:200]
        if deadline.cancelled_caught:
            error = f"did not answer within {self.policy.timeout:g} s"
        ok = status is not None and 200 <= status < 300
        log.debug("webhook attempt id=%d type=%s status=%s", hook.id, event_type, status)
        return Outcome(ok, status, error, trio.current_time() - started)

    def _note_drop(self, delivery: Delivery) -> None:
        counts = self.counts
        counts.dropped += 1
        unlogged = counts._drop_tally.note(trio.current_time())
        if unlogged:
            log.warning(
                "webhook queue full; deliveries dropped count=%d id=%d host=%s type=%s queue=%d",
                unlogged,
                delivery.hook.id,
                delivery.hook.host,
                delivery.event_type,
                self.policy.queue_size,
            )


class DeliveryCollector:
    """`owncastd_webhook_deliveries_total{result=delivered|failed|retried|dropped}`: a
    prometheus_client collector (imported at the first scrape, not at startup)."""

    def __init__(self, counts: DeliveryCounts) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily

        family = CounterMetricFamily(
            "owncastd_webhook_deliveries",
            "Webhook deliveries by result (retried counts extra attempts).",
            labels=["result"],
        )
        counts = self._counts
        for result, value in (
            ("delivered", counts.delivered),
            ("failed", counts.failed),
            ("retried", counts.retried),
            ("dropped", counts.dropped),
        ):
            family.add_metric([result], value)
        yield family

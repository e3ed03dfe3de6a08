"""The webhooks service: the admin's webhooks (cached in memory), the event listeners that
turn chat, stream and title changes into Owncast's webhook events, and the sender.

Listeners are synchronous and cheap: they find the webhooks that want the event, build the
body once (`{"type", "eventData"}` with `status` and `serverURL`, reference §4.2) and queue one
delivery per webhook. Chat never waits for a receiver.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import trio

from owncastd.config.editor import SettingsChanged
from owncastd.config.settings import SettingsRef
from owncastd.core.chat import wire
from owncastd.core.chat.events import (
    ChatEvent,
    ChatMessageSent,
    NameChanged,
    UserJoined,
    UserParted,
    VisibilityChanged,
)
from owncastd.core.events import Event, StreamStarted, StreamStopped
from owncastd.core.webhooks import (
    STREAM_STARTED,
    STREAM_STOPPED,
    STREAM_TITLE_UPDATED,
    Webhook,
    encode,
    envelope,
    sample_event_data,
    stream_event_data,
    unknown_events,
    webhook_url_problem,
)
from owncastd.errors import WebhookRejectedError
from owncastd.webhooks.delivery import Delivery, DeliveryPolicy, Outcome, WebhookSender
from owncastd.webhooks.recent import Attempt, RecentDeliveries

if TYPE_CHECKING:
    import httpx

    from owncastd.store.webhooks import WebhookStore

log = logging.getLogger(__name__)

MAX_WEBHOOKS = 100
TITLE_KEY = "server.stream_title"


class WebhookService:
    """Webhooks: CRUD for the admin API, event listeners, delivery."""

    def __init__(
        self,
        store: WebhookStore,
        *,
        settings: SettingsRef,
        status: Callable[[], dict[str, Any]],
        clock: Callable[[], datetime],
        policy: DeliveryPolicy | None = None,
        user_agent: str = "owncastd-webhooks",
        transport: httpx.AsyncBaseTransport | None = None,
        max_webhooks: int = MAX_WEBHOOKS,
    ) -> None:
        self._store = store
        self._settings = settings
        self._status = status
        self._clock = clock
        self.recent = RecentDeliveries()
        self.sender = WebhookSender(
            policy,
            on_delivered=self._delivered,
            on_attempt=lambda hook, kind, outcome: self._note(hook, kind, outcome, test=False),
            still_wanted=lambda hook: hook.id in self._hooks,
            user_agent=user_agent,
            transport=transport,
        )
        self._max = max_webhooks
        self._hooks: dict[int, Webhook] = {}
        self._loaded = False
        self._lock = trio.Lock()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Load the webhooks, then deliver until cancelled."""
        await self._ensure_loaded()
        await self.sender.run(task_status=task_status)

    # ---- admin ------------------------------------------------------------------------

    async def all(self) -> list[Webhook]:
        """Every webhook, by id."""
        await self._ensure_loaded()
        return sorted(self._hooks.values(), key=lambda hook: hook.id)

    async def create(self, url: str, events: list[str], secret: str = "") -> Webhook:
        """Store a new webhook signed with `secret` (a fresh one when ""); WebhookRejectedError
        when invalid."""
        problem = webhook_url_problem(url)
        if problem is None:
            import httpx  # lazy: an admin action; ~0.04 s of startup otherwise

            try:
                httpx.URL(url)
            except (httpx.InvalidURL, ValueError):
                problem = "is not a valid URL"
        if problem is not None:
            raise WebhookRejectedError(f"url {problem}")
        if not events:
            raise WebhookRejectedError("events must name at least one event type")
        unknown = unknown_events(events)
        if unknown:
            raise WebhookRejectedError(f"unknown event type {unknown[0][:40]!r}")
        await self._ensure_loaded()
        async with self._lock:
            if len(self._hooks) >= self._max:
                raise WebhookRejectedError(f"at most {self._max} webhooks can be configured")
            hook = await self._store.insert(
                url,
                tuple(dict.fromkeys(events)),
                secret or secrets.token_hex(32),
                self._clock(),
            )
            self._hooks[hook.id] = hook
        log.info("webhook created id=%d host=%s events=%s", hook.id, hook.host, ",".join(events))
        return hook

    async def delete(self, webhook_id: int) -> bool:
        """Remove a webhook; False when there is none with this id."""
        await self._ensure_loaded()
        async with self._lock:
            if webhook_id not in self._hooks:
                return False
            await self._store.delete(webhook_id)
            del self._hooks[webhook_id]
            self.recent.forget(webhook_id)
        log.info("webhook deleted id=%d", webhook_id)
        return True

    async def test(self, webhook_id: int) -> Outcome | None:
        """Send one sample event of the webhook's first type now; None for an unknown id."""
        await self._ensure_loaded()
        hook = self._hooks.get(webhook_id)
        if hook is None:
            return None
        event_type = hook.events[0]
        server = self._settings.current.server
        data = sample_event_data(
            event_type,
            wire.new_id(),
            self._clock(),
            name=server.name,
            summary=server.summary,
            stream_title=server.stream_title,
        )
        outcome = await self.sender.attempt(hook, event_type, self._body(event_type, data))
        self._note(hook, event_type, outcome, test=True)
        if outcome.ok:
            self._delivered(hook)
        log.info("webhook test id=%d host=%s result=%r", hook.id, hook.host, outcome.describe())
        return outcome

    # ---- events -----------------------------------------------------------------------

    def publish(self, event_type: str, data: Callable[[], Mapping[str, Any]]) -> int:
        """Queue `event_type` for every webhook that wants it; returns how many were queued.

        `data` builds the `eventData` (called only when some webhook wants the event).
        """
        targets = [hook for hook in self._hooks.values() if hook.wants(event_type)]
        if not targets:
            return 0
        body = self._body(event_type, data())
        return sum(self.sender.submit(Delivery(hook, event_type, body)) for hook in targets)

    def on_chat_event(self, event: ChatEvent) -> None:
        """ChatRoom listener: CHAT, USER_JOINED, USER_PARTED, NAME_CHANGE, VISIBILITY-UPDATE."""
        if isinstance(
            event, ChatMessageSent | UserJoined | UserParted | NameChanged | VisibilityChanged
        ):
            self.publish(event.webhook_type, event.event_data)

    def on_stream_event(self, event: Event) -> None:
        """EventBus subscriber: STREAM_STARTED when a publisher is accepted, STREAM_STOPPED
        when it leaves."""
        if isinstance(event, StreamStarted):
            self._publish_stream(STREAM_STARTED, event.at)
        elif isinstance(event, StreamStopped):
            self._publish_stream(STREAM_STOPPED, event.at)

    def on_settings_changed(self, change: SettingsChanged) -> None:
        """ConfigEditor listener: STREAM_TITLE_UPDATED whenever the title is set (as Owncast)."""
        if TITLE_KEY in change.keys:
            self._publish_stream(STREAM_TITLE_UPDATED, self._clock())

    # ---- internals --------------------------------------------------------------------

    def _publish_stream(self, event_type: str, at: datetime) -> None:
        def data() -> dict[str, Any]:
            server = self._settings.current.server
            return stream_event_data(
                wire.new_id(),
                at,
                name=server.name,
                summary=server.summary,
                stream_title=server.stream_title,
            )

        self.publish(event_type, data)

    def _body(self, event_type: str, data: Mapping[str, Any]) -> bytes:
        document = envelope(
            event_type,
            data,
            status=self._status(),
            server_url=self._settings.current.server.url,
        )
        return encode(document)

    def _note(self, hook: Webhook, event_type: str, outcome: Outcome, *, test: bool) -> None:
        status, error, seconds = outcome.status, outcome.error, outcome.seconds
        self.recent.note(Attempt(hook.id, self._clock(), event_type, status, error, seconds, test))

    def _delivered(self, hook: Webhook) -> None:
        now = self._clock()
        current = self._hooks.get(hook.id)
        if current is not None:
            self._hooks[hook.id] = replace(current, last_used=now)
            self._store.mark_used(hook.id, now)

    async def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        async with self._lock:
            if not self._loaded:
                self._hooks = {hook.id: hook for hook in await self._store.all()}
                self._loaded = True

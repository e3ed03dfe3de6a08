"""The schedule service (develop §5.2): edits, queries, the status lookup and the ticker.

Every minute (idempotently) it materialises each active series' occurrences for the next 30
days, warns chat of a missed event at start + 9 min when chat was opened early, and cancels a
missed event at start + 10 min. Storage is a :class:`ScheduleRepository` (SQLite in
`owncastd.store.schedule`). Edits are checked by :mod:`owncastd.core.schedule.edits`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import trio
from dateutil.relativedelta import relativedelta

from owncastd.config.settings import SettingsRef
from owncastd.core.periodic import periodic
from owncastd.core.schedule.edits import DEFAULT_DURATION_MINUTES, EventRequest, event_request
from owncastd.core.schedule.models import (
    CANCELLED,
    SCHEDULED,
    ScheduledEvent,
    ScheduledSeries,
    ScheduleError,
)
from owncastd.core.schedule.recurrence import parse_recurrence, zone

log = logging.getLogger(__name__)

TICK_SECONDS = 60
AHEAD = timedelta(days=30)
STATUS_CACHE_SECONDS = 10.0
WARN_AFTER = timedelta(minutes=9)
CANCEL_AFTER = timedelta(minutes=10)
MISSED_LOOKBACK = timedelta(days=30)
MAX_RANGE = timedelta(days=366)
MISSED_WARNING = (
    "This scheduled live stream never started, so chat is being turned off. Thanks for coming!"
)
UNKNOWN_ID = "no scheduled event or series with that id"


class ScheduleRepository(Protocol):
    """Where events and series are kept."""

    async def events_between(self, start: datetime, end: datetime) -> list[ScheduledEvent]: ...
    async def next_current(self, now: datetime) -> ScheduledEvent | None: ...
    async def event(self, event_id: str) -> ScheduledEvent | None: ...
    async def series(self, series_id: str) -> ScheduledSeries | None: ...
    async def all_series(self) -> list[ScheduledSeries]: ...
    async def save_event(self, event: ScheduledEvent) -> None: ...
    async def save_series(self, series: ScheduledSeries) -> None: ...
    async def add_occurrences(self, events: list[ScheduledEvent]) -> None: ...
    async def delete_event(self, event_id: str) -> None: ...
    async def delete_series(self, series_id: str) -> None: ...
    async def delete_future_occurrences(
        self, series_id: str, after: datetime, *, keep_changed: bool
    ) -> None: ...


def _new_id() -> str:
    return str(uuid.uuid4())


class ScheduleService:
    """Scheduled events and series over a repository."""

    def __init__(
        self,
        repo: ScheduleRepository,
        settings: SettingsRef,
        clock: Callable[[], datetime],
        *,
        online: Callable[[], bool],
        last_connect: Callable[[], datetime | None] = lambda: None,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._repo = repo
        self._settings = settings
        self._clock = clock
        self._online = online
        self._last_connect = last_connect
        self._new_id = new_id
        self._cached: tuple[float, ScheduledEvent | None] | None = None
        # Called with the missed-event warning (the chat side sends it as a system message).
        self.chat_warning: list[Callable[[str], Awaitable[object]]] = []

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Tick every minute (the first tick at once) until cancelled."""
        task_status.started()
        await periodic(TICK_SECONDS, self.tick, first=0)

    async def tick(self) -> None:
        """Materialise occurrences and handle missed events; a failure waits for the next tick."""
        try:
            await self.materialise()
            await self.handle_missed()
            self._cached = None
            await self.current_event()
        except Exception as exc:  # a database or disk failure: the next tick tries again
            log.warning("schedule tick failed error=%s: %s", type(exc).__name__, exc)

    # Queries ---------------------------------------------------------------------------------

    async def public_events(self, start: datetime | None, end: datetime | None) -> list[Any]:
        """`GET /api/schedule`: events in the range ([] while the schedule is disabled)."""
        if not self._settings.current.schedule.enabled:
            return []
        now = self._clock()
        start = start or now - timedelta(days=7)
        end = end or now + timedelta(days=90)
        if end <= start:
            raise ScheduleError("to must be after from")
        if end - start > MAX_RANGE:
            raise ScheduleError("requested schedule range is too large")
        return [e.to_json() for e in await self._repo.events_between(start, end)]

    async def calendar_events(self) -> list[ScheduledEvent]:
        """The events of `/api/schedule.ics`: now − 7 d to now + 1 y (none while disabled)."""
        if not self._settings.current.schedule.enabled:
            return []
        now = self._clock()
        return await self._repo.events_between(
            now - timedelta(days=7), now + relativedelta(years=1)
        )

    async def admin_schedule(self) -> dict[str, Any]:
        """`{series, events}`: every series, and the events from now − 3 months to now + 2."""
        now = self._clock()
        events = await self._repo.events_between(
            now - relativedelta(months=3), now + relativedelta(months=2)
        )
        return {
            "series": [s.to_json() for s in await self._repo.all_series()],
            "events": [e.to_json() for e in events],
        }

    async def current_event(self) -> ScheduledEvent | None:
        """The next event not over and not cancelled (the lookup is cached 10 s)."""
        stamp = trio.current_time()
        if self._cached is None or stamp - self._cached[0] >= STATUS_CACHE_SECONDS:
            self._cached = (stamp, await self._repo.next_current(self._clock()))
        return self._cached[1]

    def chat_open(self, event: ScheduledEvent, now: datetime) -> bool:
        """`start − chatOpenMinutes <= now < end`; false when offline past start + 10 min."""
        minutes = self._settings.current.schedule.chat_open_minutes
        opened = event.start - timedelta(minutes=minutes) <= now < event.end
        if opened and not self._online() and now >= event.start + CANCEL_AFTER:
            return False
        return opened

    def chat_window_open(self) -> bool:
        """A scheduled event's chat window is open now (from the last lookup, at most a
        minute old: the ticker refreshes it)."""
        if not self._settings.current.schedule.enabled or self._cached is None:
            return False
        event = self._cached[1]
        return event is not None and self.chat_open(event, self._clock())

    @staticmethod
    async def preview(recurrence: str, now: datetime) -> list[datetime]:
        """Up to 5 occurrences of `recurrence` within the next year."""
        rule = parse_recurrence(recurrence)
        found = await trio.to_thread.run_sync(rule.between, now, now + relativedelta(years=1))
        return found[:5]

    # Edits -----------------------------------------------------------------------------------

    async def upsert(self, body: dict[str, Any]) -> None:
        """Create or update an event or a series from the admin's body."""
        request = event_request(body)
        if request.id is None:
            await (self._create_series if request.recurrence else self._create_event)(request)
        elif (series := await self._repo.series(request.id)) is not None:
            await self._update_series(series, request)
        elif (event := await self._repo.event(request.id)) is not None:
            await self._update_event(event, request)
        else:
            raise ScheduleError(UNKNOWN_ID)
        self._cached = None

    async def _create_event(self, request: EventRequest) -> None:
        if request.start is None:
            raise ScheduleError("start is required")
        if request.start <= self._clock():
            raise ScheduleError("start must be in the future")
        timezone = request.timezone or "UTC"
        zone(timezone)
        event = ScheduledEvent(
            id=self._new_id(),
            name=request.name,
            description=request.description or "",
            start=request.start.astimezone(UTC),
            duration_minutes=request.duration_minutes or DEFAULT_DURATION_MINUTES,
            timezone=timezone,
            reminder_message=request.reminder_message or "",
        )
        await self._repo.save_event(event)
        log.info("scheduled event created id=%s start=%s", event.id, event.start.isoformat())

    async def _create_series(self, request: EventRequest) -> None:
        assert request.recurrence is not None
        parse_recurrence(request.recurrence)  # its DTSTART;TZID is the zone (`timezone` unused)
        series = ScheduledSeries(
            id=self._new_id(),
            name=request.name,
            description=request.description or "",
            recurrence=request.recurrence,
            duration_minutes=request.duration_minutes or DEFAULT_DURATION_MINUTES,
            reminder_message=request.reminder_message or "",
        )
        await self._repo.save_series(series)
        await self._materialise_series(series, self._clock())
        log.info("scheduled series created id=%s", series.id)

    async def _update_series(self, series: ScheduledSeries, request: EventRequest) -> None:
        if request.timezone is not None:
            raise ScheduleError("timezone cannot be changed")
        if request.start is not None:
            raise ScheduleError("start cannot be set on a series; edit the recurrence")
        if request.recurrence is not None:
            parse_recurrence(request.recurrence)
        updated = replace(
            series,
            name=request.name,
            description=_given(request.description, series.description),
            recurrence=_given(request.recurrence, series.recurrence),
            duration_minutes=_given(request.duration_minutes, series.duration_minutes),
            reminder_message=_given(request.reminder_message, series.reminder_message),
        )
        await self._repo.save_series(updated)
        now = self._clock()
        await self._repo.delete_future_occurrences(series.id, now, keep_changed=True)
        if updated.active:
            await self._materialise_series(updated, now)
        log.info("scheduled series updated id=%s", series.id)

    async def _update_event(self, event: ScheduledEvent, request: EventRequest) -> None:
        if request.timezone is not None:
            raise ScheduleError("timezone cannot be changed")
        if request.recurrence is not None:
            raise ScheduleError("recurrence cannot be set on a one-off event")
        if request.start is not None and request.start <= self._clock():
            raise ScheduleError("start must be in the future")
        updated = replace(
            event,
            name=request.name,
            description=_given(request.description, event.description),
            start=event.start if request.start is None else request.start.astimezone(UTC),
            duration_minutes=_given(request.duration_minutes, event.duration_minutes),
            reminder_message=_given(request.reminder_message, event.reminder_message),
        )
        await self._repo.save_event(updated)
        log.info("scheduled event updated id=%s", event.id)

    async def delete(self, item_id: Any, cancel: bool) -> None:
        """Cancel or delete an event or a series (`/api/admin/schedule/event/delete`)."""
        if not isinstance(item_id, str) or not item_id:
            raise ScheduleError(UNKNOWN_ID)
        if (series := await self._repo.series(item_id)) is not None:
            if cancel:
                await self._repo.save_series(replace(series, active=False))
            else:
                await self._repo.delete_future_occurrences(
                    series.id, self._clock(), keep_changed=False
                )
                await self._repo.delete_series(series.id)
        elif (event := await self._repo.event(item_id)) is not None:
            if cancel:
                await self._repo.save_event(replace(event, status=CANCELLED))
            else:
                await self._repo.delete_event(event.id)
        else:
            raise ScheduleError(UNKNOWN_ID)
        self._cached = None
        log.info("schedule item %s id=%s", "cancelled" if cancel else "deleted", item_id)

    # The ticker's work -----------------------------------------------------------------------

    async def materialise(self) -> None:
        """Create the missing occurrences of every active series for the next 30 days."""
        now = self._clock()
        for series in await self._repo.all_series():
            if series.active:
                try:
                    await self._materialise_series(series, now)
                except ScheduleError as exc:
                    log.warning("series not expanded id=%s error=%s", series.id, exc)

    async def _materialise_series(self, series: ScheduledSeries, now: datetime) -> None:
        recurrence = parse_recurrence(series.recurrence)
        # Expansion may take up to 500 000 steps: off the trio thread.
        starts = await trio.to_thread.run_sync(recurrence.between, now, now + AHEAD)
        occurrences = [
            ScheduledEvent(
                id=self._new_id(),
                name=series.name,
                description=series.description,
                start=start,
                duration_minutes=series.duration_minutes,
                timezone=recurrence.timezone,
                series_id=series.id,
                reminder_message=series.reminder_message,
                slot=start,
            )
            for start in starts
        ]
        if occurrences:
            await self._repo.add_occurrences(occurrences)  # existing slots are kept as they are
            self._cached = None

    async def handle_missed(self) -> None:
        """Warn at start + 9 min (if chat opened early), cancel at start + 10 min."""
        settings = self._settings.current.schedule
        if not settings.enabled or self._online():
            return
        now = self._clock()
        for event in await self._repo.events_between(now - MISSED_LOOKBACK, now - WARN_AFTER):
            if event.status != SCHEDULED or self._started_for(event, settings.chat_open_minutes):
                continue
            if now >= event.start + CANCEL_AFTER:
                await self._repo.save_event(replace(event, status=CANCELLED))
                self._cached = None
                log.info("scheduled event missed, cancelled id=%s", event.id)
            elif settings.chat_open_minutes and not event.warned:
                await self._repo.save_event(replace(event, warned=True))
                for send in self.chat_warning:
                    await send(MISSED_WARNING)

    def _started_for(self, event: ScheduledEvent, chat_open_minutes: int) -> bool:
        connected = self._last_connect()
        opened = event.start - timedelta(minutes=max(chat_open_minutes, 10))
        return connected is not None and connected >= opened


T = TypeVar("T")


def _given(value: T | None, current: T) -> T:
    return current if value is None else value

"""Domain events and the in-process bus that carries them.

Events are frozen dataclasses named in the past tense. Subscribers are plain callables that must
not block (they typically `send_nowait` into their own channel); the bus calls them in order
and isolates their failures so one broken listener cannot stop the stream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from owncastd.core.media import StreamDetails

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamStarted:
    """A publisher was accepted; the transcoder is starting (not yet online)."""

    remote_addr: str
    at: datetime


@dataclass(frozen=True)
class StreamWentOnline:
    """The warm-up passed and the first segments exist: viewers can watch."""

    at: datetime


@dataclass(frozen=True)
class StreamStopped:
    """The publisher left; the stream is ending (playlists get ENDLIST)."""

    at: datetime


@dataclass(frozen=True)
class StreamWentOffline:
    """The delayed-offline timer fired: HLS output may be wiped."""

    at: datetime


@dataclass(frozen=True)
class BroadcasterDetailsChanged:
    """The publisher sent (new) `onMetaData`."""

    details: StreamDetails


Event = (
    StreamStarted | StreamWentOnline | StreamStopped | StreamWentOffline | BroadcasterDetailsChanged
)
Subscriber = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out of domain events to registered subscribers."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Register `subscriber`; it is called for every later event."""
        self._subscribers.append(subscriber)

    def publish(self, event: Event) -> None:
        """Deliver `event` to every subscriber; a failing subscriber is logged and skipped."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                log.exception("event subscriber failed event=%s", type(event).__name__)

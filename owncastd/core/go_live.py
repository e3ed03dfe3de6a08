"""The go-live moment: Owncast's 2-minute timer after a publisher connects, which sends the
go-live notifications (Discord, and later browser push and the Fediverse post) once.

Owncast (reference §5.9, develop §3): the timer starts when a publisher is accepted and is
cancelled when it leaves; the notifications are not sent again when the last ones went out
less than 10 minutes before. Each channel runs on its own with its own deadline, so a channel
that hangs or fails never holds back the others.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Protocol

import trio

from owncastd.core.events import Event, StreamStarted, StreamStopped

log = logging.getLogger(__name__)

GO_LIVE_DELAY_SECONDS = 120.0
QUIET_SECONDS = 600.0
CHANNEL_TIMEOUT_SECONDS = 30.0
OUTCOMES = ("sent", "skipped", "failed")


class GoLiveChannel(Protocol):
    """One way of telling people the stream is live."""

    name: str

    async def announce(self) -> bool | None:
        """Send the go-live notification (reading the settings of the moment); raise on failure.
        False when the channel is off and sent nothing."""


class GoLiveAnnouncer:
    """Fires every channel once, `delay` seconds after a publisher connects and stays."""

    def __init__(
        self,
        channels: Sequence[GoLiveChannel],
        *,
        delay: float = GO_LIVE_DELAY_SECONDS,
        quiet: float = QUIET_SECONDS,
        timeout: float = CHANNEL_TIMEOUT_SECONDS,
    ) -> None:
        self._channels = list(channels)
        self._delay = delay
        self._quiet = quiet
        self._timeout = timeout
        self._due = math.inf
        self._last_sent = -math.inf
        self._wakeup = trio.Event()
        self.sent = 0  # go-live moments that went out (for status and tests)

    def add(self, channel: GoLiveChannel) -> None:
        """Register another channel (used from the next go-live moment on)."""
        self._channels.append(channel)

    def on_stream_event(self, event: Event) -> None:
        """EventBus subscriber: arm the timer on connect, disarm it on disconnect."""
        if isinstance(event, StreamStarted):
            self._due = trio.current_time() + self._delay
        elif isinstance(event, StreamStopped):
            self._due = math.inf
        else:
            return
        self._wakeup.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Wait for go-live moments and send them until cancelled."""
        task_status.started()
        while True:
            with trio.move_on_at(self._due):
                await self._wakeup.wait()
            self._wakeup = trio.Event()
            now = trio.current_time()
            if now < self._due:
                continue
            self._due = math.inf
            if now - self._last_sent < self._quiet:
                log.info("go-live notifications skipped: the last ones went out under 10 min ago")
                continue
            self._last_sent = now
            await self._send_all()

    async def send_now(self) -> dict[str, list[str]]:
        """Send every channel's notification now (the admin's test); the quiet window is not
        touched, so the next real go-live still goes out. Returns the channels' names by
        outcome: ``{"sent": [...], "skipped": [...] (off), "failed": [...]}``."""
        outcomes: dict[str, str] = {}
        async with trio.open_nursery() as nursery:
            for channel in self._channels:
                nursery.start_soon(self._send_one, channel, outcomes)
        return {
            outcome: [c.name for c in self._channels if outcomes.get(c.name) == outcome]
            for outcome in OUTCOMES
        }

    async def _send_all(self) -> None:
        self.sent += 1
        async with trio.open_nursery() as nursery:
            for channel in self._channels:
                nursery.start_soon(self._send_one, channel)

    async def _send_one(
        self, channel: GoLiveChannel, outcomes: dict[str, str] | None = None
    ) -> None:
        outcome = "failed"
        try:
            with trio.fail_after(self._timeout):
                outcome = "skipped" if await channel.announce() is False else "sent"
        except trio.TooSlowError:
            log.warning("go-live notification timed out channel=%s", channel.name)
        except Exception as exc:  # one channel's failure must not stop the others
            log.warning("go-live notification failed channel=%s error=%s", channel.name, exc)
        if outcomes is not None:
            outcomes[channel.name] = outcome

"""The live stream's state: Offline → Live → Ending → Offline (reference §5.9).

`Stream` is the ingest gate (it checks keys and opens a :class:`LiveSession` per publisher), the
source of the sessions the transcoder consumes, and the owner of the timers that make the
stream *online* after its warm-up and *offline* after the delayed-offline period. State changes
are sync methods (atomic under trio); `run()` only sleeps until the next timer.

`begin` and `end` are transactional: a begin that fails changes nothing, and an end always
clears the session (saving stats or publishing events cannot stop it). The ingest adapter uses
`reserve` instead: it holds the slot (a second publisher is refused) while the announcement
(phase, stats, `StreamStarted`, the hand-off to the transcoder) waits for `LiveSession.confirm`,
once the publisher's codec passed; a reservation that ends unconfirmed changes nothing. The
transcoder gets the newest session through a one-slot hand-off (`core.handoff.LatestSlot`):
only one publisher is live at a time, so an older session still waiting there has ended.
"""

from __future__ import annotations

import contextlib
import enum
import hmac
import logging
import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import trio

from owncastd.core.events import (
    BroadcasterDetailsChanged,
    EventBus,
    StreamStarted,
    StreamStopped,
    StreamWentOffline,
    StreamWentOnline,
)
from owncastd.core.handoff import LatestSlot
from owncastd.core.media import FlvTag, StreamDetails
from owncastd.core.stream_stats import OFFLINE_DELAY_SECONDS as OFFLINE_DELAY_SECONDS
from owncastd.core.stream_stats import StatsSink as StatsSink
from owncastd.core.stream_stats import StreamStats as StreamStats
from owncastd.core.stream_stats import restore_stats as restore_stats
from owncastd.errors import AlreadyLiveError, BadStreamKeyError

log = logging.getLogger(__name__)

STATS_SAVE_INTERVAL_SECONDS = 60.0
MIN_WARMUP_SECONDS = 7.0
MEDIA_QUEUE_TAGS = 256
ADMIN_DISCONNECT_REASON = "disconnected by the admin"
STUCK_INGEST_SECONDS = 30.0  # a session with no media for this long is reported by healthz
UNWATCHED_GRACE_SECONDS = 5.0  # a session nobody's connection watches for this long is stale


class DisconnectOutcome(enum.Enum):
    """What `Stream.disconnect()` found."""

    NOTHING = "nothing"  # nobody was live
    DISCONNECTED = "disconnected"  # the publisher's connection was asked to close
    CLEARED_STALE = "cleared"  # a session whose connection was already gone was cleared


class Phase(enum.Enum):
    """Where the stream is in its life cycle."""

    OFFLINE = "offline"
    LIVE = "live"
    ENDING = "ending"


@dataclass(frozen=True)
class Broadcaster:
    """The connected publisher (Owncast's `broadcaster`)."""

    remote_addr: str
    connected_at: datetime
    details: StreamDetails


def warmup_seconds(segment_seconds: int) -> float:
    """Time after connecting before the stream counts as online (Owncast develop's rule)."""
    return max(3.0 * segment_seconds, MIN_WARMUP_SECONDS)


class LiveSession:
    """One accepted publisher, from `publish` to disconnect; implements `Publication`.

    The RTMP side sends tags in; the transcoder reads them from `media` once the session is
    confirmed (until then they wait in its queue).
    """

    def __init__(self, stream: Stream, remote_addr: str, connected_at: datetime) -> None:
        self.id = secrets.token_hex(4)
        self.remote_addr = remote_addr
        self.connected_at = connected_at
        self.details = StreamDetails()
        self.segment_seconds = stream.segment_seconds()
        self._stream = stream
        self._media_send, self.media = trio.open_memory_channel[FlvTag](MEDIA_QUEUE_TAGS)
        self._disconnect_requested = trio.Event()
        self.disconnect_reason = ""
        self.started_at = trio.current_time()
        self.last_media_at = self.started_at
        self.ended = False

    async def send(self, tag: FlvTag) -> None:
        """Queue a tag for the transcoder, waiting while its queue is full."""
        # If the transcoder has stopped reading, the session is ending anyway: drop the tag.
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            try:
                # The common case costs no scheduling round trip; a full queue waits.
                self._media_send.send_nowait(tag)
            except trio.WouldBlock:
                await self._media_send.send(tag)
            self.last_media_at = trio.current_time()  # media flows (in and on to the transcoder)

    def set_details(self, details: StreamDetails) -> None:
        """Record the broadcaster's `onMetaData`."""
        self.details = details
        self._stream._details_changed(self)

    async def wait_disconnect_requested(self) -> str:
        """Return, with the reason, once the admin or the transcoder asked to drop this
        publisher."""
        await self._disconnect_requested.wait()
        return self.disconnect_reason

    def request_disconnect(self, reason: str = ADMIN_DISCONNECT_REASON) -> None:
        """Ask the ingest adapter to close this publisher's connection (the first reason
        given is the one reported)."""
        if not self._disconnect_requested.is_set():
            self.disconnect_reason = reason
            self._disconnect_requested.set()

    @property
    def watched(self) -> bool:
        """An ingest connection is waiting for a disconnect request, i.e. it is still open."""
        return self._disconnect_requested.statistics().tasks_waiting > 0

    def confirm(self) -> None:
        """The publisher's codec passed: announce the stream (once; no-op after `end`)."""
        self._stream._confirm(self)

    def end(self) -> None:
        """The publisher is gone. Idempotent; always clears its session or reservation."""
        if self.ended:
            return
        self.ended = True
        self._media_send.close()
        self._stream._session_ended(self)


class Stream:
    """Stream state machine and ingest gate.

    `stream_keys` and `segment_seconds` are read on every use so admin changes apply to the next
    publisher. `clock` gives wall-clock times for the API; timers use trio's clock.
    """

    def __init__(
        self,
        *,
        bus: EventBus,
        stream_keys: Callable[[], Sequence[str]],
        segment_seconds: Callable[[], int],
        stats: StreamStats,
        stats_sink: StatsSink,
        clock: Callable[[], datetime],
        offline_delay: float = OFFLINE_DELAY_SECONDS,
    ) -> None:
        self._bus = bus
        self._stream_keys = stream_keys
        self.segment_seconds = segment_seconds
        self.stats = stats
        self._stats_sink = stats_sink
        self._clock = clock
        self._offline_delay = offline_delay
        self.phase = Phase.OFFLINE
        self.online = False
        self.session: LiveSession | None = None  # the announced publisher
        self._reserved: LiveSession | None = None  # accepted, its codec not yet confirmed
        self._media_ready = False
        self._warm_at = math.inf
        self._offline_at = math.inf
        self._stats_dirty = False
        self._wakeup = trio.Event()
        # The transcoder takes sessions from here; an older one waiting has ended: drop it.
        self.sessions = LatestSlot[LiveSession](on_drop=lambda old: old.media.close())

    # ---- ingest gate -------------------------------------------------------------------

    def check_key(self, key: str) -> None:
        """Raise BadStreamKeyError unless `key` equals a configured key (constant time)."""
        given = key.encode()
        matched = False
        for candidate in self._stream_keys():
            # Compare against every key, without stopping early, so timing reveals nothing.
            matched |= hmac.compare_digest(given, candidate.encode())
        if not matched or not key:
            raise BadStreamKeyError("invalid stream key")

    def reserve(self, remote_addr: str) -> LiveSession:
        """Hold the slot for a new publisher (or raise AlreadyLiveError), announcing nothing:
        it goes live on `LiveSession.confirm()`; ending before that leaves no trace."""
        if self.occupied:
            raise AlreadyLiveError("a stream is already live; refusing a second publisher")
        session = LiveSession(self, remote_addr, self._clock())
        self._reserved = session
        log.info(
            "stream reserved remote=%s session=%s: waiting for its codec", remote_addr, session.id
        )
        return session

    def begin(self, remote_addr: str) -> LiveSession:
        """Open and announce a session for a new publisher, or raise AlreadyLiveError."""
        session = self.reserve(remote_addr)
        session.confirm()
        return session

    def _confirm(self, session: LiveSession) -> None:
        """Announce the reserved `session`: the one state change from offline to live.

        Everything that can fail happens before the state changes; the hand-off cannot fail.
        """
        if session is not self._reserved:
            return  # already confirmed, or ended
        now = self._clock()
        warm_at = trio.current_time() + warmup_seconds(session.segment_seconds)
        stats = replace(self.stats, last_connect_time=now, session_peak_viewers=0)
        self._reserved = None
        session.connected_at = now
        self.session = session
        self.phase = Phase.LIVE
        self.online = False
        self._media_ready = False
        self._warm_at = warm_at
        self._offline_at = math.inf
        self.stats = stats
        self.sessions.put(session)
        self._save_stats()
        log.info("stream started remote=%s session=%s", session.remote_addr, session.id)
        self._bus.publish(StreamStarted(remote_addr=session.remote_addr, at=now))
        if session.details != StreamDetails():  # `onMetaData` came while it was reserved
            self._details_changed(session)
        self._poke()

    # ---- called by the transcoder / viewers / admin -------------------------------------

    def media_ready(self, session: LiveSession) -> None:
        """The transcoder has listed its first segments for `session`."""
        if session is self.session and not self._media_ready:
            self._media_ready = True
            self._poke()

    def record_viewer_count(self, count: int) -> None:
        """Update the session and overall peaks with the current viewer count."""
        session_peak = max(self.stats.session_peak_viewers, count)
        overall_peak = max(self.stats.overall_peak_viewers, count)
        if (session_peak, overall_peak) != (
            self.stats.session_peak_viewers,
            self.stats.overall_peak_viewers,
        ):
            self.stats = replace(
                self.stats, session_peak_viewers=session_peak, overall_peak_viewers=overall_peak
            )
            self._stats_dirty = True

    def disconnect(self) -> DisconnectOutcome:
        """Drop the current publisher: ask its connection to close and end its session now,
        so the stream is free again even if that connection is already gone."""
        session = self.session
        if session is None:
            return DisconnectOutcome.NOTHING
        watched = session.watched
        session.request_disconnect(ADMIN_DISCONNECT_REASON)
        session.end()
        return DisconnectOutcome.DISCONNECTED if watched else DisconnectOutcome.CLEARED_STALE

    def ingest_problem(self) -> str | None:
        """A health check: why the open session looks stuck, or None.

        Stuck means no media for STUCK_INGEST_SECONDS, or no ingest connection watching it
        for UNWATCHED_GRACE_SECONDS (its connection is gone but the session stayed).
        """
        session = self.session
        if session is None:
            return None
        now = trio.current_time()
        who = f"session={session.id}"  # healthz is public: no publisher address here
        if not session.watched and now - session.started_at >= UNWATCHED_GRACE_SECONDS:
            return f"ingest: stream session open but its RTMP connection is gone ({who})"
        silent = now - session.last_media_at
        if silent >= STUCK_INGEST_SECONDS:
            return (
                f"ingest: no media flowing for {silent:.0f} s: the encoder sends none or the "
                f"transcoder takes none ({who})"
            )
        return None

    @property
    def broadcaster(self) -> Broadcaster | None:
        """The connected publisher, if any."""
        if self.session is None:
            return None
        return Broadcaster(
            self.session.remote_addr, self.session.connected_at, self.session.details
        )

    @property
    def occupied(self) -> bool:
        """A publisher holds the slot: announced, or reserved while its codec is checked."""
        return self.session is not None or self._reserved is not None

    @property
    def is_live(self) -> bool:
        """A publisher is connected (online or still warming up)."""
        return self.phase is Phase.LIVE

    # ---- timers ---------------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the warm-up, delayed-offline and periodic stats timers until cancelled."""
        task_status.started()
        next_stats_save = trio.current_time() + STATS_SAVE_INTERVAL_SECONDS
        try:
            while True:
                deadline = min(self._next_deadline(), next_stats_save)
                with trio.move_on_at(deadline):
                    await self._wakeup.wait()
                self._wakeup = trio.Event()
                self._fire_due_timers()
                if trio.current_time() >= next_stats_save:
                    next_stats_save = trio.current_time() + STATS_SAVE_INTERVAL_SECONDS
                    if self._stats_dirty:
                        self._save_stats()
        finally:
            if self._stats_dirty:
                self._save_stats()

    def _next_deadline(self) -> float:
        if self.phase is Phase.LIVE and not self.online and self._media_ready:
            return self._warm_at
        if self.phase is Phase.ENDING:
            return self._offline_at
        return math.inf

    def _fire_due_timers(self) -> None:
        now = trio.current_time()
        if self.phase is Phase.LIVE and not self.online and self._media_ready:
            if now >= self._warm_at:
                self.online = True
                log.info("stream online session=%s", self.session.id if self.session else "-")
                self._bus.publish(StreamWentOnline(at=self._clock()))
        elif self.phase is Phase.ENDING and now >= self._offline_at:
            self.phase = Phase.OFFLINE
            log.info("stream offline (delayed-offline timer)")
            self._bus.publish(StreamWentOffline(at=self._clock()))

    # ---- internals ------------------------------------------------------------------------

    def _poke(self) -> None:
        self._wakeup.set()

    def _save_stats(self) -> None:
        """Queue the stats for saving; a failure is logged, never raised into a state change."""
        self._stats_dirty = False
        try:
            self._stats_sink.save_stats(self.stats)
        except Exception:
            self._stats_dirty = True
            log.exception("saving stream stats failed")

    def _details_changed(self, session: LiveSession) -> None:
        if session is self.session:
            self._bus.publish(BroadcasterDetailsChanged(session.details))

    def _session_ended(self, session: LiveSession) -> None:
        if session is self._reserved:
            self._reserved = None
            log.info(
                "stream reservation released remote=%s session=%s", session.remote_addr, session.id
            )
            return
        if session is not self.session:
            return
        now = self._clock()
        self.session = None
        self.phase = Phase.ENDING
        self.online = False
        self._offline_at = trio.current_time() + self._offline_delay
        self.stats = replace(self.stats, last_disconnect_time=now)
        self._save_stats()
        log.info("stream stopped remote=%s session=%s", session.remote_addr, session.id)
        self._bus.publish(StreamStopped(at=now))
        self._poke()

"""Recording each broadcast while it goes on (`[replays] mode`).

The recorder follows the stream's events: a publisher accepted starts a recording, the
publisher leaving closes it once the transcoder has ended the live playlists (or after
CLOSE_WAIT). Every POLL_INTERVAL it takes the new live segments (see
:class:`~owncastd.replays.session.RecordingSession`), the peak viewer count and the current
thumbnail. When the disk's free space falls below `min_free_mb` it stops recording, closes what
it has and says so in the log and in the health report, long before the live stream would run
out of space.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.events import Event, StreamStarted, StreamStopped
from owncastd.core.replays.models import Replay
from owncastd.core.replays.retention import recorded_variants
from owncastd.replays.files import THUMBNAIL
from owncastd.replays.library import MB, ReplayLibrary
from owncastd.replays.session import RecordingSession

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
CLOSE_WAIT = 20.0  # seconds after the publisher left for the live playlists to end
CLOSE_TIMEOUT = 30.0
SAVE_EVERY = 10.0
DISK_CHECK_INTERVAL = 5.0  # seconds between row updates while recording (what a crash keeps)
_START, _STOP = "start", "stop"


class Recorder:
    """Records broadcasts into the :class:`ReplayLibrary`."""

    def __init__(
        self,
        library: ReplayLibrary,
        settings: SettingsRef,
        *,
        hls_dir: Path,
        thumbnail: Path,
        title: Callable[[], str],
        viewers: Callable[[], int],
    ) -> None:
        self._library = library
        self._settings = settings
        self._hls_dir = hls_dir
        self._thumbnail = thumbnail
        self._title = title
        self._viewers = viewers
        self._send, self._receive = trio.open_memory_channel[str](16)
        self.current: Replay | None = None
        self._problem: str | None = None
        self._peak = 0
        self._has_thumbnail = False
        self.unrecorded = 0  # broadcasts not recorded (mode "off", disk nearly full)

    def on_event(self, event: Event) -> None:
        """Bus subscriber: a publisher came or left."""
        kind = _START if isinstance(event, StreamStarted) else None
        kind = _STOP if isinstance(event, StreamStopped) else kind
        if kind is not None:
            try:
                self._send.send_nowait(kind)
            except trio.WouldBlock:
                log.error("recorder event queue full; dropping event=%s", kind)

    def problem(self) -> str | None:
        """Why recording stopped (disk nearly full, a failing disk), for the health report."""
        return self._problem

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Record each broadcast until cancelled."""
        task_status.started()
        pending = False
        while True:
            if not pending and await self._receive.receive() != _START:
                continue
            pending = await self._record_one()

    async def _record_one(self) -> bool:
        """Record one broadcast; True if the next one already started."""
        video = self._settings.current.video
        rates = [(v.video_passthrough, v.video_bitrate) for v in video.variants]
        chosen = recorded_variants(self._settings.current.replays.mode, rates)
        if not chosen:
            return await self._wait_stop()
        chosen = tuple(sorted(chosen, key=lambda i: -rates[i][1]))  # the best first
        bandwidths = [(rate or 1200) * 1000 for _, rate in rates]
        try:
            if not await trio.to_thread.run_sync(self._enough_space):
                return await self._wait_stop()
            replay = await self._library.begin(self._title(), chosen, bandwidths)
        except OSError as exc:
            self._fail(f"recording could not start ({exc})")
            return await self._wait_stop()
        self._problem = None
        self.current = replay
        self._peak, self._has_thumbnail = 0, False
        session = RecordingSession(
            self._library.files, self._hls_dir, replay.id, chosen, since_ns=time.time_ns()
        )
        try:
            return await self._follow(replay, session)
        finally:
            with trio.CancelScope(shield=True):
                await self._close(replay, session)
            self.current = None

    async def _follow(self, replay: Replay, session: RecordingSession) -> bool:
        """Take segments until the broadcast ended (or the disk is nearly full). A poll costs
        a few `os.stat` calls; the worker thread is used only when a playlist or the thumbnail
        changed, or the free space is due for a check."""
        stop_at: float | None = None
        next_start = ended = False
        saved_at = disk_checked = -DISK_CHECK_INTERVAL
        seen: tuple[tuple[int, int, int], ...] | None = None
        thumb_stamp: int | None = None
        while True:
            with trio.move_on_after(POLL_INTERVAL):
                kind = await self._receive.receive()
                next_start = kind == _START
                stop_at = trio.current_time() + (0 if next_start else CLOSE_WAIT)
            self._peak = max(self._peak, self._viewers())
            now = trio.current_time()
            stamps = session.stamps(self._thumbnail)  # before reading: a later write shows
            check_disk = now - disk_checked >= DISK_CHECK_INTERVAL
            if stamps != seen or check_disk:
                disk_checked = now if check_disk else disk_checked
                try:
                    ended, thumb_stamp = await trio.to_thread.run_sync(
                        self._step, session, thumb_stamp, check_disk
                    )
                except OSError as exc:
                    self._fail(f"recording stopped: the disk failed ({exc})")
                    return next_start
                seen = stamps
            if self._problem is not None:
                return next_start
            if stop_at is not None and (ended or now >= stop_at):
                return next_start
            if now - saved_at >= SAVE_EVERY:
                saved_at = now
                await self._save_progress(replay, session)

    def _enough_space(self) -> bool:
        """False (and the problem noted) when the disk has less than `min_free_mb` free."""
        min_free = self._settings.current.replays.min_free_mb * MB
        free = self._library.files.free_bytes()
        if free >= min_free:
            return True
        self._fail(
            f"recording stopped: the disk is nearly full ({free // MB} MB free, "
            f"min_free_mb = {min_free // MB}); the live stream goes on"
        )
        return False

    def _step(
        self, session: RecordingSession, thumb_stamp: int | None, check_disk: bool
    ) -> tuple[bool, int | None]:
        """One poll (worker thread): disk space (when due), segments, thumbnail."""
        if check_disk and not self._enough_space():
            return False, thumb_stamp
        ended = session.sync()
        try:
            stamp = self._thumbnail.stat().st_mtime_ns
        except FileNotFoundError:
            return ended, thumb_stamp
        if stamp != thumb_stamp and session.files.copy_in(
            self._thumbnail, session.replay_id, THUMBNAIL
        ):
            self._has_thumbnail = True
        return ended, stamp

    async def _save_progress(self, replay: Replay, session: RecordingSession) -> None:
        """Keep the row near the truth while recording (what a crash leaves)."""
        await self._library.repository.save(
            replace(
                replay,
                duration=session.duration,
                size_bytes=session.size_bytes,
                peak_viewers=self._peak,
                thumbnail=self._has_thumbnail,
            )
        )

    async def _close(self, replay: Replay, session: RecordingSession) -> None:
        replay = replace(replay, peak_viewers=self._peak, thumbnail=self._has_thumbnail)
        try:
            with trio.move_on_after(CLOSE_TIMEOUT):
                done = await self._library.finish(replay, session)
                if self._settings.current.replays.export_mp4 and done.duration > 0:
                    self._library.request_export(done.id)
                await self._library.enforce_retention()
        except Exception:  # one recording's failure must not end the recorder
            log.exception("closing the recording failed replay=%s", replay.id)

    async def _wait_stop(self) -> bool:
        """No recording: wait for the publisher to leave; True if another came first."""
        self.unrecorded += 1
        return await self._receive.receive() == _START

    def _fail(self, problem: str) -> None:
        if self._problem != problem:
            log.warning("replays: %s", problem)
        self._problem = problem

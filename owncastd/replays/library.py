"""The replays on disk and in the database, as the routes, the CLI and retention use them.

Recordings closed by a crash (`kill -9`, power loss) are closed at start (`recover`): their
playlists get `#EXT-X-ENDLIST` and their rows are finished with what was written.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.replays.models import BusyError, ExportError, Replay
from owncastd.core.replays.retention import expired
from owncastd.core.replays.vod import master_playlist
from owncastd.replays.clips import clip_range, make_clip
from owncastd.replays.export import export_mp4
from owncastd.replays.files import MASTER, MP4, RecordingFiles
from owncastd.replays.session import RecordingSession, variant_playlist

if TYPE_CHECKING:
    from owncastd.store.replays import ReplayStore

log = logging.getLogger(__name__)

RETENTION_INTERVAL = 3600.0
MB = 1024 * 1024


class ReplayLibrary:
    """Replays: listing, renaming, publishing, deleting, exporting, retention."""

    def __init__(
        self,
        repository: ReplayStore,
        files: RecordingFiles,
        settings: SettingsRef,
        clock: Callable[[], datetime],
        ffmpeg: str,
    ) -> None:
        self.repository = repository
        self.files = files
        self._settings = settings
        self._clock = clock
        self._ffmpeg = ffmpeg
        self._export_lock = trio.Lock()
        self._clip_lock = trio.Lock()
        self._exports_send, self._exports = trio.open_memory_channel[str](64)
        self.retention_runs = 0
        self._retained = trio.Event()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Close what a crash left open and apply retention, then again every hour until
        cancelled."""
        await self.recover()
        await self.enforce_retention()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._export_worker)
            task_status.started()
            while True:
                await trio.sleep(RETENTION_INTERVAL)
                await self.enforce_retention()

    def request_export(self, replay_id: str) -> None:
        """Export a replay to MP4 in the background (`[replays] export_mp4`)."""
        try:
            self._exports_send.send_nowait(replay_id)
        except trio.WouldBlock:
            log.warning("too many exports queued; skipping replay=%s", replay_id)

    async def _export_worker(self) -> None:
        async for replay_id in self._exports:
            try:
                await self.export(replay_id)
            except (ExportError, ValueError, OSError) as exc:
                log.warning("replay export failed replay=%s error=%s", replay_id, exc)

    async def all(self) -> list[Replay]:
        """Every replay, newest first."""
        return await self.repository.all()

    async def published(self) -> list[Replay]:
        """The replays viewers may see: finished and published, newest first."""
        return [r for r in await self.repository.all() if r.published and not r.recording]

    async def get(self, replay_id: str) -> Replay | None:
        """One replay by id."""
        return await self.repository.get(replay_id)

    async def begin(self, title: str, variants: tuple[int, ...], bandwidths: list[int]) -> Replay:
        """Start a new recording: its directories, master playlist and row."""
        replay = Replay(
            id=secrets.token_hex(6), title=title, started_at=self._clock(), variants=variants
        )
        master = master_playlist([(i, bandwidths[i]) for i in variants])
        await trio.to_thread.run_sync(self._create, replay.id, variants, master.encode())
        await self.repository.save(replay)
        log.info("recording started replay=%s variants=%d", replay.id, len(variants))
        return replay

    def _create(self, replay_id: str, variants: tuple[int, ...], master: bytes) -> None:
        self.files.create(replay_id, variants)
        self.files.write(replay_id, MASTER, master)

    async def finish(self, replay: Replay, session: RecordingSession) -> Replay:
        """Close a recording: VOD playlists with ENDLIST, its row finished."""
        await trio.to_thread.run_sync(session.close)
        size = await trio.to_thread.run_sync(self.files.size, replay.id)
        done = replace(replay, ended_at=self._clock(), duration=session.duration, size_bytes=size)
        await self.repository.save(done)
        log.info(
            "recording finished replay=%s duration=%.1f bytes=%d", done.id, done.duration, size
        )
        return done

    async def recover(self) -> int:
        """Close the recordings a crash left open; how many."""
        closed = 0
        for replay in await self.repository.all():
            if not replay.recording:
                continue
            session = await trio.to_thread.run_sync(
                RecordingSession.reopen, self.files, replay.id, replay.variants
            )
            await self.finish(replay, session)
            log.warning("recording closed after a crash replay=%s", replay.id)
            closed += 1
        return closed

    async def update(
        self, replay_id: str, *, title: str | None = None, published: bool | None = None
    ) -> Replay | None:
        """Rename and/or (un)publish a replay; None if there is no such replay."""
        changes: dict[str, object] = {}
        if title is not None:
            changes["title"] = title
        if published is not None:
            changes["published"] = published
        return await self.repository.update(replay_id, **changes)

    async def delete(self, replay_id: str) -> bool:
        """Delete a replay's files and row; False if there is no such replay."""
        replay = await self.repository.get(replay_id)
        if replay is None:
            return False
        await trio.to_thread.run_sync(self.files.delete, replay_id)
        await self.repository.delete(replay_id)
        log.info("replay deleted replay=%s", replay_id)
        return True

    async def export(self, replay_id: str) -> Replay | None:
        """Export a finished replay to MP4 (again if asked again); None if there is no such
        replay. Raises ExportError (ffmpeg failed) or ValueError (still recording)."""
        replay = await self.repository.get(replay_id)
        if replay is None:
            return None
        if replay.recording:
            raise ValueError("the replay is still being recorded")
        best = replay.variants[0] if replay.variants else 0  # the best first
        playlist = self.files.path(replay_id, variant_playlist(best))
        async with self._export_lock:  # one ffmpeg export at a time
            await export_mp4(self._ffmpeg, playlist, self.files.path(replay_id, MP4))
        size = await trio.to_thread.run_sync(self.files.size, replay_id)
        return await self.repository.update(replay_id, mp4=True, size_bytes=size)

    async def clip(self, replay: Replay, start: float | None, duration: float) -> tuple[str, float]:
        """Cut `duration` s from `start` (None: the end) of a replay, recording or not; the
        clip's URL path and length. Raises ValueError (a range outside it), BusyError
        (another clip is being cut) or ExportError (ffmpeg failed)."""
        if self._clip_lock.locked():
            raise BusyError("another clip is being cut; try again in a moment")
        async with self._clip_lock:
            best = replay.variants[0] if replay.variants else 0
            text = await trio.to_thread.run_sync(
                self.files.read_text, replay.id, variant_playlist(best)
            )
            plan = clip_range(text, start, duration)
            clip_id = await make_clip(self._ffmpeg, self.files.path(replay.id, str(best)), plan)
        log.info("clip cut replay=%s clip=%s seconds=%.1f", replay.id, clip_id, plan[2])
        return f"/replays/{replay.id}/clips/{clip_id}.mp4", plan[2]

    async def enforce_retention(self) -> list[str]:
        """Delete the replays past the age or size limit, oldest first; their ids."""
        current = self._settings.current.replays
        doomed = expired(
            await self.repository.all(),
            self._clock(),
            max_age_days=current.max_age_days,
            max_total_bytes=current.max_total_mb * MB,
        )
        for replay in doomed:
            await self.delete(replay.id)
            log.info("replay removed by retention replay=%s", replay.id)
        self.retention_runs += 1
        self._retained.set()
        self._retained = trio.Event()
        return [replay.id for replay in doomed]

    async def retention_ran(self, count: int) -> None:
        """Wait until retention has run `count` times in all."""
        while self.retention_runs < count:
            await self._retained.wait()

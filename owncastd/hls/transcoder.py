"""The transcoder service: one ffmpeg per live session, restarted if it dies mid-stream.

For each session the core hands over, the service wipes the HLS output, starts ffmpeg on the
session's FLV tags, watches the playlists (first segments → the stream may go online; old
segments cleaned every minute; thumbnails every 20 s) and, when the publisher leaves, lets
ffmpeg flush and appends `#EXT-X-ENDLIST` so players stop cleanly. The playlists viewers fetch
are kept by :class:`~owncastd.hls.stitcher.PlaylistStitcher`, so a restarted ffmpeg continues
the same playlist after a discontinuity. When ffmpeg keeps failing, the publisher is dropped
with the reason (the output cannot be written, ffmpeg's exit status and last words…).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import trio

from owncastd.config.settings import VideoSettings
from owncastd.core.events import Event, StreamWentOffline
from owncastd.core.offload import Offload
from owncastd.core.stream import LiveSession, Stream
from owncastd.hls.command import LATENCY_LEVELS, build_transcode_command
from owncastd.hls.ffmpeg_process import FfmpegProcess, TranscoderLog
from owncastd.hls.llhls.live import LiveVariant, LowLatencyOutput
from owncastd.hls.llhls.pipes import FragmentPipes
from owncastd.hls.output import HlsOutput
from owncastd.hls.stitcher import PlaylistStitcher
from owncastd.hls.tag_feed import TagFeed
from owncastd.hls.thumbnails import ThumbnailMaker, highest_quality_variant

log = logging.getLogger(__name__)
_T = TypeVar("_T")

WATCH_INTERVAL = 0.2
CLEANUP_INTERVAL = 60.0
THUMBNAIL_INTERVAL = 20.0
MAX_RESTARTS = 3
RESTART_WINDOW = 60.0
RESTART_BACKOFF = 0.5  # seconds per failure in the window


@dataclass
class _Run:
    """What every ffmpeg run of one session shares."""

    session: LiveSession
    video: VideoSettings
    feed: TagFeed
    has_audio: bool
    log: TranscoderLog
    playlists: PlaylistStitcher
    restarted: bool = False
    low_latency: list[LiveVariant] | None = None  # LL-HLS variants fed from ffmpeg's pipes


class TranscoderService:
    """Consumes `stream.sessions` and runs ffmpeg for each, one at a time."""

    def __init__(
        self,
        *,
        stream: Stream,
        output: HlsOutput,
        ffmpeg: str,
        video_settings: Callable[[], VideoSettings],
        thumbnails: ThumbnailMaker,
        log_file: Path | None = None,
        offload: Offload | None = None,
        low_latency: LowLatencyOutput | None = None,
    ) -> None:
        self._stream = stream
        self._offload = offload  # S3 (core/offload.py); None: local only
        self.low_latency = low_latency or LowLatencyOutput()  # served at /hls/ll/
        self._output = output
        self._ffmpeg = ffmpeg
        self._video_settings = video_settings
        self._thumbnails = thumbnails
        self._log_file = log_file
        self.restarts = 0
        self._wipe_send, self._wipe_requests = trio.open_memory_channel[None](1)
        self._busy = False
        self._read_failed = False  # warn once about unreadable output, not every poll

    def on_event(self, event: Event) -> None:
        """Bus subscriber: the delayed-offline timer fired, so the old video can go."""
        if isinstance(event, StreamWentOffline):
            with contextlib.suppress(trio.WouldBlock):
                self._wipe_send.send_nowait(None)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Transcode each live session in turn until cancelled."""
        await self._video_files("reset", self._output.reset)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._wipe_when_offline)
            task_status.started()
            async for session in self._stream.sessions:
                self._busy = True
                try:
                    await self._transcode(session)
                except Exception:
                    # One session's failure must never end the service (and with it the daemon).
                    log.exception(
                        "transcoder failed; disconnecting the publisher session=%s", session.id
                    )
                    session.request_disconnect("transcoder failed (an internal error)")
                    session.media.close()  # ingest drops further tags instead of blocking
                finally:
                    self._busy = False

    async def _wipe_when_offline(self) -> None:
        async for _ in self._wipe_requests:
            if not self._busy and self._stream.session is None:
                log.info("offline: removing the last stream's video")
                await self._video_files("reset", self._output.reset)
                self.low_latency.clear()

    async def _transcode(self, session: LiveSession) -> None:
        video = self._video_settings()
        transcoder_log = TranscoderLog(self._log_file)
        feed = TagFeed(session.media)
        window = LATENCY_LEVELS[video.latency_level].playlist_length
        uploads = self._offload.session(len(video.variants)) if self._offload else None
        playlists = PlaylistStitcher(
            self._output,
            len(video.variants),
            window,
            uploads,
            run_start=lambda: feed.run_start,
        )
        try:
            await self._video_files("reset", self._output.reset, len(video.variants))
            if not await feed.read_prefix() and feed.ended:
                log.info("publisher left before any video; no transcoder session=%s", session.id)
                return
            details = session.details
            has_audio = feed.saw_audio or details.audio_codec not in ("", "No audio")
            run = _Run(session, video, feed, has_audio, transcoder_log, playlists)
            arrival = lambda: feed.run_start  # noqa: E731 - dates parts from the first frame
            run.low_latency = self.low_latency.begin(video, arrival=arrival) or None
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._watch, session, video)
                nursery.start_soon(playlists.run)
                if self._offload is not None:
                    nursery.start_soon(self._offload.delete_leftovers)
                await self._supervise(run)
                nursery.cancel_scope.cancel()
        finally:
            transcoder_log.close()
            self.low_latency.end()
            with trio.move_on_after(5, shield=True):
                await self._video_files("endlist", self._output.append_endlist)
                await self._thumbnails.clear()
            log.info("transcoder finished session=%s", session.id)

    async def _supervise(self, run: _Run) -> None:
        """Run ffmpeg, restarting it when it dies mid-stream; give up (and drop the publisher,
        saying why) after MAX_RESTARTS failures within RESTART_WINDOW."""
        session = run.session
        failures: list[float] = []
        while True:
            publisher_left, code, problem = await self._run_ffmpeg(run)
            if publisher_left:
                log.info("transcoder stopped session=%s exit=%s", session.id, code)
                return
            now = trio.current_time()
            failures = [t for t in failures if now - t < RESTART_WINDOW] + [now]
            if len(failures) > MAX_RESTARTS:
                log.error(
                    "transcoder keeps failing; disconnecting the publisher session=%s exit=%s "
                    "reason=%s (see transcoder.log)",
                    session.id,
                    code,
                    problem,
                )
                session.request_disconnect(f"transcoder keeps failing: {problem}")
                await run.feed.drain()
                return
            self.restarts += 1
            log.warning(
                "transcoder exited mid-stream; restarting session=%s exit=%s reason=%s",
                session.id,
                code,
                problem,
            )
            await trio.sleep(RESTART_BACKOFF * len(failures))

    async def _run_ffmpeg(self, run: _Run) -> tuple[bool, int | str, str]:
        """One ffmpeg run: (publisher_left, exit status, what went wrong when it ended)."""
        segment_id = run.playlists.new_run_id()
        try:
            playlist_dir = await run.playlists.begin_run(segment_id)
        except OSError as exc:
            return False, "not started", f"the transcoder could not write its output ({exc})"
        pipes = FragmentPipes(run.low_latency) if run.low_latency else None
        try:
            return await self._run_ffmpeg_in(run, segment_id, playlist_dir, pipes)
        finally:
            if pipes is not None:
                pipes.close()

    async def _run_ffmpeg_in(
        self, run: _Run, segment_id: str, playlist_dir: Path, pipes: FragmentPipes | None
    ) -> tuple[bool, int | str, str]:
        session, video = run.session, run.video
        fds = pipes.child_fds if pipes is not None else ()
        command = build_transcode_command(
            self._ffmpeg,
            video,
            output_dir=self._output.root,
            segment_id=segment_id,
            has_audio=run.has_audio,
            playlist_dir=playlist_dir,
            fragment_fds=fds,
        )
        log.info(
            "transcoder starting session=%s variants=%d latency=%d codec=%s audio=%s",
            session.id,
            len(video.variants),
            video.latency_level,
            video.codec,
            run.has_audio,
        )
        try:
            process = await FfmpegProcess.start(command.argv, command.env, run.log, fds)
        except (OSError, ValueError) as exc:
            # Binary gone, ENOMEM, EAGAIN…: counts like an ffmpeg that died at once.
            log.warning("ffmpeg could not start session=%s error=%s", session.id, exc)
            return False, "not started", f"ffmpeg could not start ({exc})"
        publisher_left, code = await self._feed(process, run.feed, run.restarted, pipes)
        run.restarted = True  # the next ffmpeg needs the replayed decoder configuration
        await run.playlists.sync()  # the segments ffmpeg finished as it stopped
        return publisher_left, code, f"ffmpeg exited with status {code}: {run.log.last_line}"

    async def _feed(
        self, process: FfmpegProcess, feed: TagFeed, restarted: bool, pipes: FragmentPipes | None
    ) -> tuple[bool, int]:
        """Stream tags into ffmpeg (and read its LL-HLS pipes). Returns (publisher_left,
        ffmpeg's exit status)."""
        publisher_left = False
        async with trio.open_nursery() as nursery:
            nursery.start_soon(process.pump_stderr)
            if pipes is not None:
                nursery.start_soon(pipes.pump)
            try:
                ok = await process.write(feed.start_bytes(restarted=restarted))
                while ok:
                    tag = await feed.next()
                    if tag is None:
                        publisher_left = True
                        break
                    # Whatever else is already queued goes out in the same write.
                    batch = [tag, *feed.take_ready()]
                    ok = await process.write(b"".join(t.data for t in batch))
            finally:
                code = await process.stop()
        return publisher_left, code

    async def _watch(self, session: LiveSession, video: VideoSettings) -> None:
        """Poll the output: report readiness, clean old segments, make thumbnails."""
        variants = len(video.variants)
        playlist_length = LATENCY_LEVELS[video.latency_level].playlist_length
        thumbnail_variant = highest_quality_variant(video.variants)
        while not await self._read_output(self._all_variants_started, variants, default=False):  # noqa: ASYNC110 (polls files)
            await trio.sleep(WATCH_INTERVAL)
        log.info("first segments ready session=%s", session.id)
        self._stream.media_ready(session)
        next_cleanup = trio.current_time() + CLEANUP_INTERVAL
        while True:
            segment = await self._read_output(
                self._output.newest_segment, thumbnail_variant, default=None
            )
            if segment is not None:
                await self._thumbnails.make(segment)
            await trio.sleep(THUMBNAIL_INTERVAL)
            if trio.current_time() >= next_cleanup:
                next_cleanup = trio.current_time() + CLEANUP_INTERVAL
                await self._video_files("cleanup", self._output.cleanup, playlist_length)

    async def _video_files(
        self, what: str, operation: Callable[..., object], *args: object
    ) -> None:
        """Run a blocking HLS file operation; a full or failing disk is logged, not raised, so
        the stream goes on (ffmpeg keeps running and writes again once there is space)."""
        try:
            await trio.to_thread.run_sync(operation, *args)
        except OSError as exc:
            log.warning("video files %s failed error=%s (the stream goes on)", what, exc)

    async def _read_output(self, operation: Callable[[int], _T], arg: int, *, default: _T) -> _T:
        """Run a blocking read of the HLS output; an unreadable file counts as `default`."""
        try:
            return await trio.to_thread.run_sync(operation, arg)
        except OSError as exc:
            if not self._read_failed:
                self._read_failed = True
                log.warning("video files unreadable error=%s (the stream goes on)", exc)
            return default

    def _all_variants_started(self, variants: int) -> bool:
        return all(self._output.segments_listed(i) for i in range(variants))

"""`thumbnail.jpg` and `preview.gif` from the newest segments while live (reference §5.8).

One ffmpeg decodes only the keyframes of the newest PREVIEW_SEGMENTS segments of a variant
(see :mod:`owncastd.hls.snapshot_command`), and a run is skipped when no segment was added
since the last one (a stalled publisher costs nothing). The preview is remade every
PREVIEW_EVERY-th run (every 40 s, Owncast: 20 s); the runs between make only the thumbnail
from the newest segment, at less than half the cost (issue 17: ≤ 1% of a core). With a
:class:`~owncastd.core.snapshot_demand.SnapshotDemand`, runs after a stream's first happen only
for the images someone fetched since the last run (a fetch gets the current file, the next
run refreshes it). Files are
written to a temp name and moved into place, so the web server never serves half a file.
While offline both are removed and the web server shows the logo instead.
"""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import trio

from owncastd.config.settings import VideoVariant
from owncastd.core.snapshot_demand import SnapshotDemand
from owncastd.hls.snapshot_command import build_snapshot_command, build_thumbnail_command

log = logging.getLogger(__name__)

GENERATE_TIMEOUT = 15.0
THUMBNAIL_NAME = "thumbnail.jpg"
PREVIEW_NAME = "preview.gif"
PREVIEW_EVERY = 2  # runs: the preview with every second thumbnail
PREVIEW_SEGMENTS = 3  # keyframes of the newest segments in the GIF (one second at 3 fps)
_SEGMENT_NUMBER = re.compile(r"^(?P<stem>.*-)(?P<number>\d+)\.ts$")


def recent_segments(newest: Path, count: int = PREVIEW_SEGMENTS) -> list[Path]:
    """`newest` and up to `count - 1` segments before it of the same run, oldest first.

    Segments are named `stream-<run>-<n>.ts`; older ones already cleaned away are left out.
    """
    match = _SEGMENT_NUMBER.match(newest.name)
    if match is None:
        return [newest]
    stem, number = match["stem"], int(match["number"])
    older = (newest.with_name(f"{stem}{n}.ts") for n in range(max(0, number - count + 1), number))
    return [*(path for path in older if path.is_file()), newest]


def highest_quality_variant(variants: Sequence[VideoVariant]) -> int:
    """The variant index thumbnails come from: a passthrough one, else the highest bitrate."""
    for index, variant in enumerate(variants):
        if variant.video_passthrough:
            return index
    return max(range(len(variants)), key=lambda i: variants[i].video_bitrate, default=0)


class ThumbnailMaker:
    """Runs ffmpeg to refresh the thumbnail and preview in `directory`.

    With a `demand`, a run after the first one of a stream happens only for the image(s)
    fetched since the last run (the preview still at most every PREVIEW_EVERY-th new segment);
    without one, every new segment is used (as Owncast, which runs every 20 s).
    """

    def __init__(self, ffmpeg: str, directory: Path, demand: SnapshotDemand | None = None) -> None:
        self._ffmpeg = ffmpeg
        self.directory = directory
        self.failures = 0
        self.runs = 0  # ffmpeg runs (skipped ones not counted)
        self._demand = demand
        self._last: tuple[Path, int] | None = None  # the newest segment of the last good run
        self._seen: tuple[Path, int] | None = None  # the newest segment of the last call
        self._thumbnail_only_runs: int | None = None  # since the last preview (None: none yet)

    @property
    def thumbnail(self) -> Path:
        """Where the current thumbnail lives."""
        return self.directory / THUMBNAIL_NAME

    @property
    def preview(self) -> Path:
        """Where the current animated preview lives."""
        return self.directory / PREVIEW_NAME

    @property
    def preview_due(self) -> bool:
        """Whether the next run makes the preview too (the first one does, then every
        PREVIEW_EVERY-th)."""
        done = self._thumbnail_only_runs
        return done is None or done >= PREVIEW_EVERY - 1

    async def make(self, segment: Path) -> bool:
        """Refresh the thumbnail from `segment` (the newest) and, when due, the preview from it
        and the few before it; False (logged as a WARNING) on any failure. Nothing is run when
        `segment` is the one the last successful run used.

        Never raises: a missing ffmpeg or a failing disk must not stop the stream.
        """
        try:
            stamp = (segment, (await trio.Path(segment).stat()).st_mtime_ns)
            if stamp == self._last:
                return True
            wanted = self._wanted(stamp)
            if wanted is None:
                return True
            preview = wanted
            await trio.Path(self.directory).mkdir(parents=True, exist_ok=True)
            segments = await trio.to_thread.run_sync(recent_segments, segment) if preview else []
        except OSError as exc:
            log.warning(
                "thumbnail source or directory unusable dir=%s error=%s", self.directory, exc
            )
            self.failures += 1
            return False
        self.runs += 1
        if await self._run(segment, segments):
            self._last = stamp
            done = self._thumbnail_only_runs
            self._thumbnail_only_runs = 0 if preview else (done or 0) + 1
            return True
        self.failures += 1
        if self._demand is not None:  # fetched all the same: the next segment tries again
            self._demand.thumbnail = True
            self._demand.preview = self._demand.preview or preview
        return False

    def _wanted(self, stamp: tuple[Path, int]) -> bool | None:
        """For a segment newer than the last run's: None to skip it (nothing fetched since),
        else whether the run makes the preview too. Takes the demand it serves."""
        demand, due = self._demand, self.preview_due
        if demand is None or self._thumbnail_only_runs is None:  # always / a stream's first
            if demand is not None:
                demand.thumbnail = demand.preview = False
            return due
        preview = due and demand.preview
        if not (preview or demand.thumbnail):
            if stamp != self._seen and not due:  # an unused segment counts toward the preview
                self._thumbnail_only_runs += 1
            self._seen = stamp
            return None
        self._seen = stamp
        demand.thumbnail = False
        demand.preview = demand.preview and not preview
        return preview

    async def clear(self) -> None:
        """Remove the thumbnail and preview (the stream went offline); failures are logged."""
        self._thumbnail_only_runs = None
        for path in (self.thumbnail, self.preview):
            try:
                await trio.Path(path).unlink(missing_ok=True)
            except OSError as exc:
                log.warning("thumbnail not removed file=%s error=%s", path.name, exc)

    async def _run(self, newest: Path, segments: Sequence[Path]) -> bool:
        """Make the thumbnail from `newest`, and the preview too from `segments` if any."""
        finals = (self.thumbnail, self.preview) if segments else (self.thumbnail,)
        tmps = [final.with_name(f".{final.stem}.tmp{final.suffix}") for final in finals]
        try:
            if segments:
                argv = build_snapshot_command(self._ffmpeg, segments, tmps[0], tmps[1])
            else:
                argv = build_thumbnail_command(self._ffmpeg, newest, tmps[0])
            reason = await self._generate(argv, tmps)
            if reason is None:
                for tmp, final in zip(tmps, finals, strict=True):
                    await trio.Path(tmp).replace(final)
                return True
        except (OSError, ValueError) as exc:  # ffmpeg missing, ENOMEM, EAGAIN, disk errors
            reason = f"error={exc}"
        names = ",".join(final.name for final in finals)
        log.warning("thumbnail generation failed files=%s reason=%s", names, reason)
        for tmp in tmps:
            with contextlib.suppress(OSError):
                await trio.Path(tmp).unlink(missing_ok=True)
        return False

    async def _generate(self, argv: Sequence[str], tmps: Sequence[Path]) -> str | None:
        """Run ffmpeg into `tmps`; None on success, else why it failed."""
        result: subprocess.CompletedProcess[bytes] | None = None
        with trio.move_on_after(GENERATE_TIMEOUT):
            result = await trio.run_process(list(argv), capture_stderr=True, check=False)
        if result is None:
            return "timeout"
        missing = [tmp for tmp in tmps if not await trio.Path(tmp).exists()]
        if result.returncode != 0 or missing:
            return result.stderr.decode(errors="replace")[-300:].strip()
        return None

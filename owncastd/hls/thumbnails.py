"""`thumbnail.jpg` and `preview.gif` from the newest segment while live (reference §5.8).

Files are written to a temp name and moved into place, so the web server never serves half a
file. While offline both are removed and the web server shows the logo instead.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

import trio

from owncastd.config.settings import VideoVariant
from owncastd.hls.command import build_preview_command, build_thumbnail_command

log = logging.getLogger(__name__)

GENERATE_TIMEOUT = 15.0
THUMBNAIL_NAME = "thumbnail.jpg"
PREVIEW_NAME = "preview.gif"


def highest_quality_variant(variants: Sequence[VideoVariant]) -> int:
    """The variant index thumbnails come from: a passthrough one, else the highest bitrate."""
    for index, variant in enumerate(variants):
        if variant.video_passthrough:
            return index
    return max(range(len(variants)), key=lambda i: variants[i].video_bitrate, default=0)


class ThumbnailMaker:
    """Runs ffmpeg to refresh the thumbnail and preview in `directory`."""

    def __init__(self, ffmpeg: str, directory: Path) -> None:
        self._ffmpeg = ffmpeg
        self.directory = directory
        self.failures = 0

    @property
    def thumbnail(self) -> Path:
        """Where the current thumbnail lives."""
        return self.directory / THUMBNAIL_NAME

    @property
    def preview(self) -> Path:
        """Where the current animated preview lives."""
        return self.directory / PREVIEW_NAME

    async def make(self, segment: Path) -> bool:
        """Refresh both files from `segment`; False (logged as a WARNING) on any failure.

        Never raises: a missing ffmpeg or a failing disk must not stop the stream.
        """
        try:
            await trio.Path(self.directory).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("thumbnail directory unusable dir=%s error=%s", self.directory, exc)
            self.failures += 1
            return False
        ok = True
        for final, build in (
            (self.thumbnail, build_thumbnail_command),
            (self.preview, build_preview_command),
        ):
            tmp = final.with_name(f".{final.stem}.tmp{final.suffix}")
            ok &= await self._run(build(self._ffmpeg, segment, tmp), tmp, final)
        if not ok:
            self.failures += 1
        return ok

    async def clear(self) -> None:
        """Remove the thumbnail and preview (the stream went offline); failures are logged."""
        for path in (self.thumbnail, self.preview):
            try:
                await trio.Path(path).unlink(missing_ok=True)
            except OSError as exc:
                log.warning("thumbnail not removed file=%s error=%s", path.name, exc)

    async def _run(self, argv: Sequence[str], tmp: Path, final: Path) -> bool:
        try:
            reason = await self._generate(argv, tmp)
            if reason is None:
                await trio.Path(tmp).replace(final)
                return True
        except (OSError, ValueError) as exc:  # ffmpeg missing, ENOMEM, EAGAIN, disk errors
            reason = f"error={exc}"
        log.warning("thumbnail generation failed file=%s reason=%s", final.name, reason)
        with contextlib.suppress(OSError):
            await trio.Path(tmp).unlink(missing_ok=True)
        return False

    async def _generate(self, argv: Sequence[str], tmp: Path) -> str | None:
        """Run ffmpeg into `tmp`; None on success, else why it failed."""
        result: subprocess.CompletedProcess[bytes] | None = None
        with trio.move_on_after(GENERATE_TIMEOUT):
            result = await trio.run_process(list(argv), capture_stderr=True, check=False)
        if result is None:
            return "timeout"
        if result.returncode != 0 or not await trio.Path(tmp).exists():
            return result.stderr.decode(errors="replace")[-300:].strip()
        return None

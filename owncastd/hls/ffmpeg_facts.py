"""What the installed ffmpeg offers, asked for once at start without holding up `ready`.

Two short ffmpeg runs (`-encoders`, and the ingest-form probe of ingest_probe.py) take
0.1–0.25 s each, and more on a busy machine: longer than the rest of the daemon's start. They
run side by side from the start (`run`), and each user waits for its answer where it needs it:
the RTMP server before it accepts its first connection (a publisher connecting meanwhile waits
in the listen backlog, so its codec is judged exactly as before), the admin's web app before it
is built (its codec settings check the encoder list).
"""

from __future__ import annotations

import logging

import trio

from owncastd.core.codecs import IngestFormats
from owncastd.errors import FfmpegNotFoundError
from owncastd.hls.encoders import detect_encoders
from owncastd.hls.ingest_probe import probe_ingest_formats

log = logging.getLogger(__name__)


async def supported_codecs(ffmpeg: str) -> tuple[str, ...]:
    """The known H.264 encoders this ffmpeg offers (libx264 alone if it cannot be asked)."""
    try:
        return await detect_encoders(ffmpeg)
    except FfmpegNotFoundError as exc:
        log.warning("ffmpeg encoders unknown error=%s", exc)
        return ("libx264",)


class FfmpegFacts:
    """ffmpeg's H.264 encoders and the ingest forms it reads, each awaited when needed."""

    def __init__(self, ffmpeg: str) -> None:
        self._ffmpeg = ffmpeg
        self._codecs: tuple[str, ...] | None = None
        self._formats: IngestFormats | None = None
        self._codecs_known = trio.Event()
        self._formats_known = trio.Event()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Ask ffmpeg (both runs at once); returns when both have answered."""
        task_status.started()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._ask_codecs)
            nursery.start_soon(self._ask_formats)

    async def _ask_codecs(self) -> None:
        self._codecs = await supported_codecs(self._ffmpeg)
        self._codecs_known.set()

    async def _ask_formats(self) -> None:
        self._formats = await probe_ingest_formats(self._ffmpeg)
        self._formats_known.set()

    async def codecs(self) -> tuple[str, ...]:
        """The encoders, once ffmpeg has listed them."""
        await self._codecs_known.wait()
        assert self._codecs is not None
        return self._codecs

    async def formats(self) -> IngestFormats:
        """The ingest forms, once probed."""
        await self._formats_known.wait()
        assert self._formats is not None
        return self._formats

"""A live session's FLV tags as ffmpeg reads them: the prefix a (re)started ffmpeg needs first
(the FLV header, metadata, codec configs), and the tags after it. After a restart, tags are
skipped until the next video keyframe so the new ffmpeg starts cleanly; `run_start` is when the
current run's first keyframe arrived (the program dates' anchor, :mod:`owncastd.hls.program_date`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import trio

from owncastd.core.media import FLV_HEADER, FlvTag, TagKind

PREFIX_TIMEOUT = 5.0
PREFIX_MAX_TAGS = 256


class TagFeed:
    """Reads a session's tags and remembers what a restarted ffmpeg needs first.

    The preamble is the last `onMetaData` and the video/audio decoder configurations; after a
    restart, tags are skipped until the next video keyframe so the new ffmpeg starts cleanly.
    """

    def __init__(
        self, media: trio.MemoryReceiveChannel[FlvTag], clock: Callable[[], float] = time.time
    ) -> None:
        self._media = media
        self._clock = clock
        self.run_start: float | None = None  # when the current run's first keyframe arrived
        self._pending: list[FlvTag] = []
        self._metadata: FlvTag | None = None
        self._video_config: FlvTag | None = None
        self._audio_config: FlvTag | None = None
        self._skip_to_keyframe = False
        self.saw_audio = False
        self.ended = False

    async def read_prefix(self) -> bool:
        """Buffer the first tags: until a video keyframe and some audio, or a short timeout.

        True if a video keyframe arrived (without one, a publisher gone by now left nothing
        to transcode)."""
        keyframe_seen = False
        with trio.move_on_after(PREFIX_TIMEOUT):
            while len(self._pending) < PREFIX_MAX_TAGS:
                tag = await self._receive()
                if tag is None:
                    break
                self._pending.append(tag)
                if tag.kind is TagKind.VIDEO and tag.keyframe and not tag.sequence_header:
                    keyframe_seen = True
                if keyframe_seen and self.saw_audio:
                    break
        return keyframe_seen

    def start_bytes(self, *, restarted: bool) -> bytes:
        """What to write to a fresh ffmpeg before streaming further tags."""
        head = [FLV_HEADER]
        if restarted:
            self._skip_to_keyframe = True
            self.run_start = None
            for tag in (self._metadata, self._video_config, self._audio_config):
                if tag is not None:
                    head.append(tag.data)
        else:
            head.extend(tag.data for tag in self._pending)
            self._pending.clear()
        return b"".join(head)

    async def next(self) -> FlvTag | None:
        """The next tag to write, or None when the publisher has left."""
        while True:
            tag = self._pending.pop(0) if self._pending else await self._receive()
            if tag is None:
                return None
            if self._skip_to_keyframe:
                if not (tag.kind is TagKind.VIDEO and tag.keyframe and not tag.sequence_header):
                    continue
                self._skip_to_keyframe = False
                self.run_start = self._clock()
            return tag

    def take_ready(self, limit: int = 256) -> list[FlvTag]:
        """Tags already waiting (without blocking), so they can be written in one go."""
        ready: list[FlvTag] = []
        while len(ready) < limit and not self._skip_to_keyframe:
            if self._pending:
                ready.append(self._pending.pop(0))
                continue
            try:
                tag = self._media.receive_nowait()
            except (trio.WouldBlock, trio.EndOfChannel, trio.ClosedResourceError):
                break
            self._note(tag)
            ready.append(tag)
        return ready

    async def drain(self) -> None:
        """Discard tags until the publisher leaves (so ingest never blocks on us)."""
        while await self._receive() is not None:
            pass

    async def _receive(self) -> FlvTag | None:
        if self.ended:
            return None
        try:
            tag = await self._media.receive()
        except (trio.EndOfChannel, trio.ClosedResourceError):
            self.ended = True
            return None
        self._note(tag)
        return tag

    def _note(self, tag: FlvTag) -> None:
        """Remember what a restarted ffmpeg will need from this tag (and when the first run's
        first keyframe arrived)."""
        keyframe = tag.kind is TagKind.VIDEO and tag.keyframe and not tag.sequence_header
        if keyframe and self.run_start is None and not self._skip_to_keyframe:
            self.run_start = self._clock()
        if tag.kind is TagKind.AUDIO:
            self.saw_audio = True
            if tag.sequence_header:
                self._audio_config = tag
        elif tag.kind is TagKind.VIDEO and tag.sequence_header:
            self._video_config = tag
        elif tag.kind is TagKind.SCRIPT:
            self._metadata = tag

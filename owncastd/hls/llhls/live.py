"""The LL-HLS output the web path serves: per variant a window, its cutter, the playlist
built once per change, and one trio event per change that every parked request waits on
(a parked blocking reload costs its connection's task and nothing per update).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import trio

from owncastd.config.settings import VideoSettings
from owncastd.hls.command import LATENCY_LEVELS
from owncastd.hls.llhls.boxes import BoxError
from owncastd.hls.llhls.cutter import Cutter
from owncastd.hls.llhls.playlist import VariantEntry, master_playlist, media_playlist
from owncastd.hls.llhls.window import Window

log = logging.getLogger(__name__)

FRAGMENT_SECONDS = 0.2  # ffmpeg's -frag_duration: one part
DEFAULT_FRAMERATE = 24  # as hls/command.py
PASSTHROUGH_PART_TARGET = 0.334  # a copied stream's framerate is unknown: room for 7.5 fps


def part_target(framerate: int, passthrough: bool) -> float:
    """PART-TARGET: a fragment is cut at the first frame at or past FRAGMENT_SECONDS, so a
    part lasts at most that plus one frame."""
    if passthrough:
        return PASSTHROUGH_PART_TARGET
    return round(FRAGMENT_SECONDS + 1 / (framerate or DEFAULT_FRAMERATE) + 0.0005, 3)


class LiveVariant:
    """One variant's window and the event its waiters park on."""

    def __init__(
        self,
        window: Window,
        bandwidth: int,
        clock: Callable[[], float],
        arrival: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.window = window
        self.bandwidth = bandwidth
        self.cutter = Cutter(window, clock, arrival)
        self._changed = trio.Event()
        self._playlist = b""
        self._playlist_version = -1
        self._broken = False

    def feed(self, data: bytes) -> None:
        """Bytes from ffmpeg's pipe; wakes the waiters when the window changed."""
        if self._broken:
            return
        before = self.window.version
        try:
            self.cutter.feed(data)
        except (BoxError, ValueError, IndexError) as exc:  # struct.error is a ValueError
            self._broken = True
            log.warning("LL-HLS output unreadable; no more parts this run error=%s", exc)
        if self.window.version != before:
            self.changed()

    def changed(self) -> None:
        """Wake everything parked on this variant."""
        self._changed.set()
        self._changed = trio.Event()

    def restart(self) -> None:
        """A new ffmpeg run begins (its init segment comes next)."""
        self._broken = False

    def end(self) -> None:
        """The stream ended: ENDLIST, and every waiter returns."""
        self.window.end()
        self.changed()

    @property
    def playlist(self) -> bytes:
        """The media playlist now (built once per window change)."""
        if self._playlist_version != self.window.version:
            self._playlist = media_playlist(self.window)
            self._playlist_version = self.window.version
        return self._playlist

    async def wait_until(self, ready: Callable[[Window], bool]) -> None:
        """Wait until `ready(window)` (checked after each change; the caller bounds it)."""
        while not ready(self.window):
            await self._changed.wait()


class LowLatencyOutput:
    """The current session's LL-HLS variants (none while offline or when LL-HLS is off)."""

    def __init__(self, clock: Callable[[], float] = time.time, keep_segments: int = 8) -> None:
        self._clock = clock
        self._keep = keep_segments
        self.variants: list[LiveVariant] = []

    def begin(
        self,
        video: VideoSettings,
        segment_seconds: float = 0,
        arrival: Callable[[], float | None] = lambda: None,
    ) -> list[LiveVariant]:
        """A new live session: fresh windows for each variant (none when LL-HLS is off);
        segments as long as the latency level's unless `segment_seconds` is given; `arrival()`
        is when the current ffmpeg run's first frame arrived (epoch s), for program dates."""
        self.end()
        self.variants = []
        if not video.low_latency:
            return []
        segment_seconds = segment_seconds or LATENCY_LEVELS[video.latency_level].segment_seconds
        self.variants = [
            LiveVariant(
                Window(
                    segment_seconds,
                    part_target(v.framerate, v.video_passthrough),
                    self._keep,
                ),
                (v.video_bitrate or 1200) * 1000 + v.audio_bitrate * 1000,
                self._clock,
                arrival,
            )
            for v in video.variants
        ]
        return self.variants

    def clear(self) -> None:
        """Offline: the last stream's video goes (as the classic files do)."""
        self.end()
        self.variants = []

    def end(self) -> None:
        """The session ended: each variant's playlist gets ENDLIST (kept until the next)."""
        for variant in self.variants:
            if not variant.window.ended:
                variant.end()

    def variant(self, index: int) -> LiveVariant | None:
        """Variant `index` of the current session."""
        return self.variants[index] if 0 <= index < len(self.variants) else None

    async def master(self) -> bytes | None:
        """The master playlist, once every variant's init segment has arrived (it waits for
        them, the codecs come from them; the caller bounds it); None when offline."""
        variants = list(self.variants)
        if not variants:
            return None
        for variant in variants:
            await variant.wait_until(lambda w: bool(w.inits))
        return master_playlist(_entries(variants))


def _entries(variants: Sequence[LiveVariant]) -> list[VariantEntry]:
    entries = []
    for variant in variants:
        info = variant.cutter.info
        video = info.video if info is not None else None
        entries.append(
            VariantEntry(
                bandwidth=variant.bandwidth,
                codecs=info.codecs if info is not None else "",
                width=video.width if video is not None else 0,
                height=video.height if video is not None else 0,
            )
        )
    return entries

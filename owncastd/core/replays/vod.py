"""The VOD playlist of a recording (pure: text in, text out).

While recording, a variant's playlist is an `EVENT` playlist that only grows (players may
watch it as it grows, and whatever a crash leaves behind is playable); when the recording is
closed it becomes `#EXT-X-PLAYLIST-TYPE:VOD` with `#EXT-X-ENDLIST` (RFC 8216 §4.3.3.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ENDLIST = "#EXT-X-ENDLIST"
DISCONTINUITY = "#EXT-X-DISCONTINUITY"
_EXTINF = "#EXTINF:"


@dataclass(frozen=True)
class VodSegment:
    """One segment of a recording: its file name, duration and whether it starts a new run."""

    name: str
    duration: float
    discontinuity: bool = False


def parse_segments(text: str) -> tuple[list[VodSegment], bool]:
    """The segments a media playlist lists (live or VOD), and whether it has ENDLIST.

    A segment without a readable EXTINF counts as 0 s; a trailing EXTINF with no URI (a
    playlist cut short) is ignored."""
    segments: list[VodSegment] = []
    duration: float | None = None
    discontinuity = False
    ended = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == ENDLIST:
            ended = True
        elif line == DISCONTINUITY:
            discontinuity = True
        elif line.startswith(_EXTINF):
            duration = _extinf(line)
        elif not line.startswith("#"):
            name = line.rsplit("/", 1)[-1]
            segments.append(VodSegment(name, duration or 0.0, discontinuity))
            duration, discontinuity = None, False
    return segments, ended


def _extinf(line: str) -> float:
    try:
        value = float(line[len(_EXTINF) :].split(",", 1)[0])
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


class VodPlaylist:
    """The growing playlist of one recorded variant."""

    def __init__(self, segments: list[VodSegment] | None = None) -> None:
        self.segments: list[VodSegment] = list(segments or [])
        self._names = {segment.name for segment in self.segments}

    def has(self, name: str) -> bool:
        """True if a segment of that file name is already listed."""
        return name in self._names

    def add(self, segment: VodSegment) -> None:
        """List `segment` after the others."""
        self.segments.append(segment)
        self._names.add(segment.name)

    @property
    def duration(self) -> float:
        """Seconds of video listed."""
        return sum(segment.duration for segment in self.segments)

    def render(self, *, closed: bool) -> str:
        """The playlist text: EVENT while recording, VOD with ENDLIST once `closed`."""
        longest = max((segment.duration for segment in self.segments), default=1.0)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-PLAYLIST-TYPE:{'VOD' if closed else 'EVENT'}",
            f"#EXT-X-TARGETDURATION:{max(1, math.ceil(longest - 1e-3))}",
            "#EXT-X-MEDIA-SEQUENCE:0",
        ]
        for index, segment in enumerate(self.segments):
            if segment.discontinuity and index:
                lines.append(DISCONTINUITY)
            lines.append(f"{_EXTINF}{segment.duration:.6f},")
            lines.append(segment.name)
        if closed:
            lines.append(ENDLIST)
        return "\n".join(lines) + "\n"


def master_playlist(variants: list[tuple[int, int]]) -> str:
    """A master playlist over the recorded variants: (directory index, bits per second)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for index, bandwidth in variants:
        lines.append(f"#EXT-X-STREAM-INF:BANDWIDTH={max(1, bandwidth)}")
        lines.append(f"{index}/stream.m3u8")
    return "\n".join(lines) + "\n"


def covering(
    segments: list[VodSegment], start: float, duration: float
) -> tuple[list[VodSegment], float]:
    """The segments that cover `[start, start + duration)` seconds of a recording, and where
    `start` falls in the first of them."""
    chosen: list[VodSegment] = []
    offset = 0.0
    position = 0.0
    end = start + duration
    for segment in segments:
        segment_end = position + segment.duration
        if segment_end > start and position < end:
            if not chosen:
                offset = max(0.0, start - position)
            chosen.append(segment)
        position = segment_end
    return chosen, offset

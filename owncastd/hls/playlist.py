"""One continuous HLS media playlist across ffmpeg runs (pure: text in, text out).

Each ffmpeg run writes its own sliding-window playlist starting at `MEDIA-SEQUENCE:0`. When
ffmpeg dies mid-stream and is restarted, viewers must see one playlist that goes on: the media
sequence keeps counting, the first segment of the new run carries `#EXT-X-DISCONTINUITY`, and
`#EXT-X-DISCONTINUITY-SEQUENCE` grows each time a segment with that tag slides out of the
window (RFC 8216 §6.2.2). :class:`ContinuousPlaylist` takes each run's playlist text as ffmpeg
rewrites it and renders the playlist we serve.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from owncastd.hls.program_date import RunAnchor

DISCONTINUITY = "#EXT-X-DISCONTINUITY"
_MEDIA_SEQUENCE = "#EXT-X-MEDIA-SEQUENCE:"
_DISCONTINUITY_SEQUENCE = "#EXT-X-DISCONTINUITY-SEQUENCE:"
_TARGET_DURATION = "#EXT-X-TARGETDURATION:"
_EXTINF = "#EXTINF:"
_ENDLIST = "#EXT-X-ENDLIST"
# Tags that describe the whole playlist (everything else before a URI belongs to the segment).
_PLAYLIST_TAGS = (
    "#EXTM3U",
    "#EXT-X-VERSION:",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    "#EXT-X-PLAYLIST-TYPE:",
)


@dataclass(frozen=True)
class Segment:
    """One media segment: its URI and the tag lines before it (EXTINF, PROGRAM-DATE-TIME…)."""

    uri: str
    tags: tuple[str, ...]
    discontinuity: bool = False

    @property
    def duration(self) -> float:
        """The EXTINF duration (0 when missing or unreadable)."""
        for tag in self.tags:
            if tag.startswith(_EXTINF):
                try:
                    return float(tag[len(_EXTINF) :].split(",", 1)[0])
                except ValueError:
                    return 0.0
        return 0.0


@dataclass(frozen=True)
class RunPlaylist:
    """What one ffmpeg run's media playlist says."""

    header: tuple[str, ...]
    target_duration: int
    media_sequence: int
    segments: tuple[Segment, ...]


def parse_media_playlist(text: str) -> RunPlaylist:
    """Parse a media playlist as ffmpeg writes it; unknown tags are kept with their segment."""
    header: list[str] = []
    target = 0
    sequence = 0
    segments: list[Segment] = []
    pending: list[str] = []
    discontinuity = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(_ENDLIST):
            continue
        if line.startswith(_MEDIA_SEQUENCE):
            sequence = _int_after(line, _MEDIA_SEQUENCE)
        elif line.startswith(_TARGET_DURATION):
            target = _int_after(line, _TARGET_DURATION)
        elif line.startswith(_DISCONTINUITY_SEQUENCE):
            continue  # ours is computed, never copied
        elif line == DISCONTINUITY:
            discontinuity = True
        elif line.startswith(_PLAYLIST_TAGS):
            if line not in header:
                header.append(line)
        elif line.startswith("#"):
            pending.append(line)
        else:
            segments.append(Segment(line, tuple(pending), discontinuity))
            pending, discontinuity = [], False
    return RunPlaylist(tuple(header), target, sequence, tuple(segments))


def _int_after(line: str, prefix: str) -> int:
    try:
        return int(line[len(prefix) :])
    except ValueError:
        return 0


def _name(uri: str) -> str:
    """The segment's file name: segments sit beside the served playlist."""
    return uri.rsplit("/", 1)[-1]


class ContinuousPlaylist:
    """The served playlist of one variant, fed by successive ffmpeg runs.

    `window` is how many segments it lists (ffmpeg's `-hls_list_size`). Call `start_run()`
    before feeding a new run's playlists to `update()`.
    """

    def __init__(self, window: int) -> None:
        self._window = max(1, window)
        self._segments: list[Segment] = []
        self._media_sequence = 0  # of the first listed segment
        self._discontinuity_sequence = 0
        self._header: tuple[str, ...] = ("#EXTM3U",)
        self._target = 0
        self._run_next = 0  # the next segment number (in the run's own count) to take
        self._mark_next = False  # the next segment taken starts a new run after an earlier one
        self._listed_any = False
        self._anchor: RunAnchor | None = None

    def start_run(self, anchor: RunAnchor | None = None) -> None:
        """A new ffmpeg run begins: its first segment will be marked as a discontinuity;
        `anchor` (if any) shifts the run's program dates."""
        self._run_next = 0
        self._mark_next = self._listed_any
        self._anchor = anchor

    def update(self, run_text: str) -> bool:
        """Take the new segments of the current run's playlist; True if ours changed."""
        run = parse_media_playlist(run_text)
        changed = False
        if run.header and run.header != self._header:
            self._header = run.header
            changed = True
        if run.target_duration > self._target:
            self._target = run.target_duration
            changed = True
        listed = {segment.uri for segment in self._segments}
        for offset, segment in enumerate(run.segments):
            number = run.media_sequence + offset
            if number < self._run_next or _name(segment.uri) in listed:
                continue  # already taken (or an earlier run's playlist read late)
            self._run_next = number + 1
            self._append(segment)
            changed = True
        return changed

    def _append(self, segment: Segment) -> None:
        tags = self._anchor.tags(segment.tags) if self._anchor else segment.tags
        self._segments.append(Segment(_name(segment.uri), tags, self._mark_next))
        self._mark_next = False
        self._listed_any = True
        while len(self._segments) > self._window:
            gone = self._segments.pop(0)
            self._media_sequence += 1
            if gone.discontinuity:
                self._discontinuity_sequence += 1

    def names(self) -> list[str]:
        """The file names of the listed segments, oldest first."""
        return [segment.uri for segment in self._segments]

    def render(self, remote: Callable[[str], str | None] | None = None) -> str:
        """The playlist text to serve (no `#EXT-X-ENDLIST`: that is added when the stream
        ends). `remote(name)` gives a segment's URL elsewhere (S3), None: the local name."""
        longest = max((s.duration for s in self._segments), default=0.0)
        target = max(self._target, math.ceil(longest - 1e-3), 1)
        lines = ["#EXTM3U", *(h for h in self._header if h != "#EXTM3U")]
        lines.append(f"{_TARGET_DURATION}{target}")
        lines.append(f"{_MEDIA_SEQUENCE}{self._media_sequence}")
        if self._discontinuity_sequence:
            lines.append(f"{_DISCONTINUITY_SEQUENCE}{self._discontinuity_sequence}")
        for segment in self._segments:
            if segment.discontinuity:
                lines.append(DISCONTINUITY)
            lines += segment.tags
            lines.append((remote(segment.uri) if remote else None) or segment.uri)
        return "\n".join(lines) + "\n"

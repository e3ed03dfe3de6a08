"""One variant's LL-HLS window, sans-IO: parts grouped into segments, the last few kept.

A part is one fMP4 fragment (moof + mdat). A segment starts at an independent part (its
first video sample is a keyframe) once the current segment has reached the target length,
so segment boundaries fall on keyframes only. Media sequence numbers (msn) count segments
from 0 for the session and keep counting across ffmpeg restarts (a new init segment: the
next segment is a discontinuity with its own map).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

_EPSILON = 1e-3  # a segment "reached" the target within a millisecond


@dataclass(frozen=True)
class Part:
    """One partial segment: its bytes and how long it plays."""

    duration: float
    independent: bool
    data: bytes
    start: float = 0.0  # decode time of its first sample (media seconds)


@dataclass
class Segment:
    """A media segment: its parts; `data` is set (the parts joined once) when complete."""

    msn: int
    program_time: float  # wall-clock seconds (epoch) of its first sample
    init_id: int
    discontinuity: bool = False
    parts: list[Part] = field(default_factory=list)
    duration: float = 0.0
    data: bytes | None = None

    @property
    def complete(self) -> bool:
        """Whether the segment is finished (listed with its EXTINF)."""
        return self.data is not None


class Window:
    """The segments a variant currently serves, bounded to `keep` complete segments."""

    def __init__(self, segment_target: float, part_target: float, keep: int = 8) -> None:
        self.segment_target = segment_target
        self.part_target = part_target
        self.keep = keep
        self.inits: dict[int, bytes] = {}
        self.segments: deque[Segment] = deque()
        self.ended = False
        self.version = 0  # bumped on every change
        self._init_id = -1
        self._next_msn = 0
        self._discontinuity = False

    def set_init(self, data: bytes) -> None:
        """A new init segment (ftyp + moov): a new ffmpeg run; the open segment is closed."""
        self._close_open()
        self._init_id += 1
        self.inits[self._init_id] = data
        self._discontinuity = self._next_msn > 0
        self.version += 1

    def add_part(self, part: Part, program_time: float) -> None:
        """Append a part (`program_time`: wall-clock time of its first sample)."""
        if self._init_id < 0:
            raise ValueError("a part before any init segment")
        current = self.segments[-1] if self.segments else None
        if (
            current is None
            or current.complete
            or (part.independent and current.duration >= self.segment_target - _EPSILON)
        ):
            self._close_open()
            current = Segment(self._next_msn, program_time, self._init_id, self._discontinuity)
            self._next_msn += 1
            self._discontinuity = False
            self.segments.append(current)
        current.parts.append(part)
        current.duration += part.duration
        self.version += 1

    def end(self) -> None:
        """The stream ended: close the open segment; the playlist gets ENDLIST."""
        self._close_open()
        self.ended = True
        self.version += 1

    def _close_open(self) -> None:
        if self.segments and not self.segments[-1].complete:
            last = self.segments[-1]
            last.data = b"".join(p.data for p in last.parts)
            self.version += 1
            self._trim()

    def _trim(self) -> None:
        while sum(1 for s in self.segments if s.complete) > self.keep:
            gone = self.segments.popleft()
            if all(s.init_id != gone.init_id for s in self.segments):
                self.inits.pop(gone.init_id, None)

    # Lookups for the web path.

    @property
    def open_segment(self) -> Segment | None:
        """The segment parts are being added to, if any."""
        last = self.segments[-1] if self.segments else None
        return last if last is not None and not last.complete else None

    @property
    def last_complete_msn(self) -> int:
        """The msn of the newest complete segment (-1: none yet)."""
        for segment in reversed(self.segments):
            if segment.complete:
                return segment.msn
        return -1

    @property
    def target_duration(self) -> int:
        """EXT-X-TARGETDURATION: the segment target, or a longer segment's rounded length."""
        longest = max((s.duration for s in self.segments if s.complete), default=0.0)
        return max(1, math.ceil(self.segment_target - _EPSILON), round(longest))

    def next_part(self) -> tuple[int, int]:
        """(msn, part index) of the part that most likely comes next (the preload hint): the
        first of a new segment once the open one is long enough (its keyframe is due)."""
        current = self.open_segment
        if current is not None and current.duration < self.segment_target - _EPSILON:
            return current.msn, len(current.parts)
        return self._next_msn, 0

    def segment(self, msn: int) -> Segment | None:
        """The segment `msn` if still in the window."""
        if not self.segments:
            return None
        index = msn - self.segments[0].msn
        if 0 <= index < len(self.segments):
            return self.segments[index]
        return None

    def part(self, msn: int, index: int) -> Part | None:
        """Part `index` of segment `msn`, if it exists and is in the window."""
        segment = self.segment(msn)
        if segment is None or not 0 <= index < len(segment.parts):
            return None
        return segment.parts[index]

    def has(self, msn: int, part: int | None) -> bool:
        """Whether a playlist now satisfies a blocking reload for (msn, part) (RFC 8216bis
        §6.2.5.2: segment msn complete, or that part of it (or anything later) listed)."""
        if self.ended:
            return True
        latest = self.segments[-1] if self.segments else None
        if latest is None or latest.msn < msn:
            return False
        if latest.msn > msn:
            return True
        if part is None:
            return latest.complete
        return latest.complete or len(latest.parts) > part

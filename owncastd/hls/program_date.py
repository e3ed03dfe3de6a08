"""`#EXT-X-PROGRAM-DATE-TIME` anchored to when the media reached owncastd (pure).

ffmpeg's HLS muxer dates a run's first segment with the wall clock at the moment it writes
its header: after it has probed its input, 1–2 s after the first frame it was fed. Every
later date is that plus the EXTINF durations, so all of them claim the frames are younger
than they are, and a player comparing the date of the frame on screen with the clock (the
viewer page's live latency report) under-reads by that start-up time. :class:`RunAnchor`
shifts a run's dates so that its first segment is dated when its first frame (the video
keyframe the run starts from) arrived from the publisher; the spacing ffmpeg wrote is kept.
A shift larger than :data:`MAX_SHIFT` is not applied (a clock step, or a run fed from an old
buffer): the dates are then left as ffmpeg wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

PROGRAM_DATE_TIME = "#EXT-X-PROGRAM-DATE-TIME:"
MAX_SHIFT = 30.0
_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z")


def parse_program_date(tag: str) -> float | None:
    """Epoch seconds of a `#EXT-X-PROGRAM-DATE-TIME:` line (None for other or bad lines)."""
    if not tag.startswith(PROGRAM_DATE_TIME):
        return None
    text = tag[len(PROGRAM_DATE_TIME) :].strip().replace("Z", "+0000")
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).timestamp()
        except ValueError:
            continue
    return None


def format_program_date(epoch: float) -> str:
    """The tag line for `epoch`, millisecond precision, as ffmpeg writes it."""
    moment = datetime.fromtimestamp(round(epoch, 3), UTC)
    return f"{PROGRAM_DATE_TIME}{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000"


class RunAnchor:
    """The date shift of one ffmpeg run, learnt from its first dated segment.

    `arrival()` gives the wall time (epoch s) the run's first frame arrived, or None while
    unknown; the shift is fixed by the first program date seen, for every variant of the run.
    """

    def __init__(self, arrival: Callable[[], float | None]) -> None:
        self._arrival = arrival
        self.shift: float | None = None  # seconds added to ffmpeg's dates (0: left alone)

    def tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """`tags` with any program date-time shifted."""
        out = []
        for tag in tags:
            date = parse_program_date(tag)
            if date is not None:
                shift = self._learn(date)
                if shift:
                    tag = format_program_date(date + shift)
            out.append(tag)
        return tuple(out)

    def _learn(self, first_date: float) -> float:
        if self.shift is None:
            arrival = self._arrival()
            shift = 0.0 if arrival is None else arrival - first_date
            self.shift = shift if abs(shift) <= MAX_SHIFT else 0.0
        return self.shift

"""The fMP4 byte stream of one variant → init segment and parts in its Window (sans-IO).

ffmpeg's mp4 muxer (empty_moov + frag_keyframe + frag_duration) writes ftyp, moov, then
moof + mdat pairs. ftyp + moov is the init segment; each moof + mdat is one part, whose
duration is its video track's (else its first track's) sample durations and which is
independent when its video starts with a sync sample. Wall-clock times come from the
caller's clock: the first part starts when the run's first frame reached owncastd (`arrival`,
as the classic playlists are dated: :mod:`owncastd.hls.program_date`), else its end is "now"
when it arrives; later parts follow the media timeline (so program date-times do not jitter
with pipe scheduling).
"""

from __future__ import annotations

from collections.abc import Callable

from owncastd.hls.llhls.boxes import BoxSplitter, InitInfo, parse_fragment, parse_init
from owncastd.hls.llhls.window import Part, Window
from owncastd.hls.program_date import MAX_SHIFT


class Cutter:
    """Feeds one variant's fMP4 bytes into its window."""

    def __init__(
        self,
        window: Window,
        wall_clock: Callable[[], float],
        arrival: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.window = window
        self._clock = wall_clock
        self._arrival = arrival
        self._splitter = BoxSplitter()
        self._ftyp = b""
        self._info: InitInfo | None = None
        self._moof = b""
        self._origin: tuple[float, float] | None = None  # (wall time, media seconds) pair

    @property
    def info(self) -> InitInfo | None:
        """The current init segment's track facts."""
        return self._info

    def feed(self, data: bytes) -> int:
        """Take bytes from ffmpeg; returns how many parts they completed."""
        parts = 0
        for kind, box in self._splitter.feed(data):
            if kind == b"ftyp":
                self._ftyp = box
            elif kind == b"moov":
                self._info = parse_init(box)
                self._origin = None
                self.window.set_init(self._ftyp + box)
            elif kind == b"moof":
                self._moof = box
            elif kind == b"mdat" and self._moof and self._info is not None:
                self._add_part(self._moof + box, self._info)
                self._moof = b""
                parts += 1
        return parts

    def _add_part(self, data: bytes, info: InitInfo) -> None:
        runs = {run.track_id: run for run in parse_fragment(data, info)}
        video = info.video
        main = runs.get(video.track_id) if video is not None else None
        if main is None:
            main = next(iter(runs.values()))
        track = info.tracks.get(main.track_id)
        timescale = track.timescale if track is not None and track.timescale else 1
        start = main.base_time / timescale
        duration = main.duration / timescale
        independent = main.starts_with_sync if video is not None else True
        if self._origin is None:
            self._origin = (self._first_part_start(duration), start)
        wall, media = self._origin
        self.window.add_part(Part(duration, independent, data, start), wall + (start - media))

    def _first_part_start(self, duration: float) -> float:
        """When the run's first part began: its first frame's arrival when that is known and
        plausible (ffmpeg's start-up is a second or two), else its end is now."""
        by_clock = self._clock() - duration
        arrived = self._arrival()
        if arrived is not None and 0 <= by_clock - arrived <= MAX_SHIFT:
            return arrived
        return by_clock

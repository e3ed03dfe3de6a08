"""Which incoming video codecs the installed ffmpeg can ingest, and the last publish refused.

A publisher's video arrives in a *form*: a legacy FLV codec id (``codec id 7`` is H.264) or,
with enhanced RTMP (newer OBS and ffmpeg), a FourCC (``hvc1``, ``av01``, ``vp09``…). ffmpeg's
FLV demuxer before 6.1 knows no enhanced RTMP at all: it fails with "codec (0) not
implemented" and no segment ever appears. The daemon probes once at start which of the
:data:`CHECKED_FORMS` its ffmpeg reads (:mod:`owncastd.hls.ingest_probe`); a publish in a
checked form that ffmpeg cannot read is refused (:class:`IngestFormats`), and
:class:`LastRefusal` keeps the reason for health and `owncastctl status`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FOURCC_VIDEO: dict[str, str] = {
    "avc1": "H.264",
    "hvc1": "H.265",
    "hev1": "H.265",
    "av01": "AV1",
    "vp09": "VP9",
    "vp08": "VP8",
}
LEGACY_VIDEO: dict[int, str] = {
    2: "Sorenson H.263",
    3: "Screen video",
    4: "VP6",
    5: "VP6 alpha",
    6: "Screen video v2",
    7: "H.264",
    12: "H.265",
    13: "AV1",
}
# The forms probed at start: enhanced RTMP and the non-standard legacy HEVC/AV1 ids. Other
# legacy ids are passed to ffmpeg as before.
CHECKED_FORMS = ("avc1", "hvc1", "hev1", "av01", "vp09", "codec id 12", "codec id 13")


@dataclass(frozen=True, slots=True)
class VideoFormat:
    """A publisher's video codec: its display name and the form it arrived in."""

    name: str  # "H.265"
    form: str  # "hvc1" (an enhanced-RTMP FourCC) or "codec id 12" (a legacy FLV id)

    def describe(self) -> str:
        """`H.265 (hvc1)`."""
        return f"{self.name} ({self.form})"


def fourcc_of_number(value: object) -> str | None:
    """The FourCC packed into an `onMetaData` number (1752589105.0 → 'hvc1'), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or not 0x20202020 <= value <= 0x7E7E7E7E or int(value) != value:
        return None
    packed = int(value).to_bytes(4, "big")
    if not all(0x20 <= byte <= 0x7E for byte in packed):
        return None
    return packed.decode("ascii")


def format_of_fourcc(fourcc: str) -> VideoFormat:
    """The format of an enhanced-RTMP FourCC (an unknown one keeps its FourCC as the name)."""
    return VideoFormat(FOURCC_VIDEO.get(fourcc, fourcc.strip() or "Unknown"), fourcc)


def format_of_codec_id(value: object) -> VideoFormat | None:
    """The format an `onMetaData` `videocodecid` announces (a legacy id, a FourCC string or
    a FourCC packed into a number); None when it says nothing usable."""
    if isinstance(value, str):
        return format_of_fourcc(value) if len(value) == 4 else None
    fourcc = fourcc_of_number(value)
    if fourcc is not None:
        return format_of_fourcc(fourcc)
    if isinstance(value, int | float) and not isinstance(value, bool) and value in LEGACY_VIDEO:
        codec_id = int(value)
        return VideoFormat(LEGACY_VIDEO[codec_id], f"codec id {codec_id}")
    return None


class IngestFormats:
    """What the installed ffmpeg can ingest: the checked forms it read when probed.

    Legacy codec ids outside `checked` are let through (ffmpeg's FLV demuxer has read them
    for years); an enhanced-RTMP FourCC only when ffmpeg read it. :meth:`everything` lets
    every form through (no probe).
    """

    def __init__(
        self, readable: Iterable[str], *, checked: Iterable[str] = CHECKED_FORMS, ffmpeg: str = ""
    ) -> None:
        self.readable = frozenset(readable)
        self.checked = frozenset(checked)
        self.ffmpeg = ffmpeg  # a version line, for the refusal message

    @classmethod
    def everything(cls) -> IngestFormats:
        """Refuse nothing."""
        return cls((), checked=())

    def refusal(self, video: VideoFormat, *, announced: bool = False) -> str | None:
        """Why a publish of `video` is refused, or None when ffmpeg can ingest it.

        A tag's format is judged by its form; an enhanced-RTMP FourCC that was not probed
        (one ffmpeg does not know either) counts as unreadable. An `announced` one (from
        `onMetaData`, which some encoders fill with a FourCC while sending legacy tags) is
        refused only when no form of that codec can be ingested.
        """
        if announced:
            ingestible = video.name in self._ingestible_names()
            if ingestible or video.name not in self._checked_names():
                return None
        elif self._ingestible_form(video.form):
            return None
        by = f"the installed ffmpeg ({self.ffmpeg})" if self.ffmpeg else "the installed ffmpeg"
        return f"video codec {video.describe()} cannot be ingested by {by}; publish H.264"

    def _ingestible_form(self, form: str) -> bool:
        if form in self.readable or not self.checked:
            return True
        return form.startswith("codec id ") and form not in self.checked  # legacy, not probed

    def _checked_names(self) -> set[str]:
        return {_name_of_form(form) for form in self.checked}

    def _ingestible_names(self) -> set[str]:
        unchecked = {
            name for i, name in LEGACY_VIDEO.items() if f"codec id {i}" not in self.checked
        }
        return unchecked | {_name_of_form(form) for form in self.readable}


def _name_of_form(form: str) -> str:
    if form.startswith("codec id "):
        return LEGACY_VIDEO.get(int(form[9:]), form)
    return format_of_fourcc(form).name


class LastRefusal:
    """The reason of the last publish refused for its codec, until a publish is accepted."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def refused(self, reason: str) -> None:
        self.reason = reason

    def accepted(self) -> None:
        """A publisher's video was good: the problem is over."""
        self.reason = None

    def problem(self) -> str | None:
        """A health check: the reason as a degraded problem, or None."""
        return f"rtmp: last publish refused: {self.reason}" if self.reason else None

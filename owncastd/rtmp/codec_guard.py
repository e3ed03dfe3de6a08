"""Reading a publisher's video codec from its FLV video tags, and refusing the ones the
installed ffmpeg cannot ingest (sans-IO; see :mod:`owncastd.core.codecs`).

An enhanced-RTMP video body starts with ``1 frameType:3 packetType:4``. Modifier extensions
(packet type 7) come first when present; a multitrack body (packet type 6) has one more byte
(``multitrackType:4 packetType:4``); then the FourCC. A legacy body has the codec id in its
low nibble.
"""

from __future__ import annotations

from owncastd.core.codecs import (
    LEGACY_VIDEO,
    IngestFormats,
    LastRefusal,
    VideoFormat,
    format_of_fourcc,
)
from owncastd.core.media import FlvTag, TagKind

_MULTITRACK = 6
_MOD_EX = 7
_MAX_MOD_EX = 8  # modifier extensions read before giving up


def _skip_mod_ex(body: bytes, pos: int) -> tuple[int, int] | None:
    """(position after the modifier extensions, the real packet type), or None if cut short."""
    for _ in range(_MAX_MOD_EX):
        if pos >= len(body):
            return None
        size = body[pos] + 1
        pos += 1
        if size == 256:
            if pos + 2 > len(body):
                return None
            size = int.from_bytes(body[pos : pos + 2], "big") + 1
            pos += 2
        pos += size
        if pos >= len(body):
            return None
        packet_type = body[pos] & 0x0F
        pos += 1
        if packet_type != _MOD_EX:
            return pos, packet_type
    return None


def video_format(body: bytes) -> VideoFormat | None:
    """The codec of an FLV video tag body; None when the body is too short to say."""
    if not body:
        return None
    first = body[0]
    if not first & 0x80:
        codec_id = first & 0x0F
        return VideoFormat(
            LEGACY_VIDEO.get(codec_id, f"Unknown ({codec_id})"), f"codec id {codec_id}"
        )
    pos, packet_type = 1, first & 0x0F
    if packet_type == _MOD_EX:
        skipped = _skip_mod_ex(body, pos)
        if skipped is None:
            return None
        pos, packet_type = skipped
    if packet_type == _MULTITRACK:
        pos += 1
    fourcc = body[pos : pos + 4]
    if len(fourcc) < 4:
        return None
    return format_of_fourcc(fourcc.decode("latin-1"))


class CodecGuard:
    """One publisher's codec check: its announced codec and its first video tag.

    Each check returns the refusal reason (and records it in `last`), or None. After the
    first video tag passes, later tags are not looked at.
    """

    def __init__(self, formats: IngestFormats, last: LastRefusal) -> None:
        self._formats = formats
        self._last = last
        self._verified = False

    @property
    def verified(self) -> bool:
        """A video tag has passed: the codec is decided and good."""
        return self._verified

    def check_announced(self, video: VideoFormat | None) -> str | None:
        """Judge the codec `onMetaData` announced."""
        if video is None or self._verified:
            return None
        return self._verdict(self._formats.refusal(video, announced=True))

    def check_tag(self, tag: FlvTag) -> str | None:
        """Judge the first video tag; every other tag passes."""
        if self._verified or tag.kind is not TagKind.VIDEO:
            return None
        video = video_format(tag.data[11:-4])
        if video is None:
            return None
        reason = self._verdict(self._formats.refusal(video))
        if reason is None:
            self._verified = True
            self._last.accepted()
        return reason

    def _verdict(self, reason: str | None) -> str | None:
        if reason is not None:
            self._last.refused(reason)
        return reason

"""ISO BMFF (fragmented MP4) parsing, sans-IO: top-level boxes out of a byte stream, the
track facts of an init segment (moov) and the timing of a fragment (moof).

Only what the LL-HLS packager needs: per track its handler, timescale, trex defaults and
codec string (avc1.PPCCLL from the avcC, mp4a.40.N from the esds); per fragment each
track's base decode time, total sample duration and whether its first sample is a sync
sample (ISO/IEC 14496-12 §8.8: tfhd, trun, trex sample flags).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

_NON_SYNC = 0x00010000  # sample_is_non_sync_sample in sample flags
_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"})


class BoxError(ValueError):
    """The byte stream is not well-formed ISO BMFF."""


def iter_boxes(
    data: bytes | memoryview, start: int = 0, end: int | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        if size < header or pos + size > end:
            raise BoxError(f"bad box size {size} for {kind!r} at {pos}")
        yield bytes(kind), pos + header, pos + size
        pos += size


class BoxSplitter:
    """Cuts a byte stream into whole top-level boxes as bytes arrive."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        """The (type, whole box bytes) completed by `data`."""
        buffer = self._buffer
        buffer += data
        out: list[tuple[bytes, bytes]] = []
        pos = 0
        while len(buffer) - pos >= 8:
            size, kind = struct.unpack_from(">I4s", buffer, pos)
            if size == 1:
                if len(buffer) - pos < 16:
                    break
                (size,) = struct.unpack_from(">Q", buffer, pos + 8)
            if size < 8:
                raise BoxError(f"bad top-level box size {size} for {kind!r}")
            if len(buffer) - pos < size:
                break
            out.append((bytes(kind), bytes(buffer[pos : pos + size])))
            pos += size
        if pos:
            del buffer[:pos]
        return out


@dataclass
class Track:
    """One track of the init segment."""

    track_id: int
    handler: bytes = b""
    timescale: int = 1
    codec: str = ""
    width: int = 0
    height: int = 0
    default_duration: int = 0
    default_flags: int = 0


@dataclass
class InitInfo:
    """What the init segment (ftyp + moov) says about the tracks."""

    tracks: dict[int, Track] = field(default_factory=dict)

    @property
    def video(self) -> Track | None:
        """The first video track, if any."""
        return next((t for t in self.tracks.values() if t.handler == b"vide"), None)

    @property
    def codecs(self) -> str:
        """The CODECS attribute: video first, then audio."""
        order = sorted(self.tracks.values(), key=lambda t: t.handler != b"vide")
        return ",".join(t.codec for t in order if t.codec)


def _walk(
    data: bytes, start: int, end: int, path: tuple[bytes, ...]
) -> Iterator[tuple[tuple[bytes, ...], int, int]]:
    for kind, body, stop in iter_boxes(data, start, end):
        here = (*path, kind)
        yield here, body, stop
        if kind in _CONTAINERS:
            yield from _walk(data, body, stop, here)
        elif kind == b"stsd":
            yield from _walk(data, body + 8, stop, here)


def parse_init(moov: bytes) -> InitInfo:
    """The tracks of a `moov` box (whole box bytes)."""
    info = InitInfo()
    track: Track | None = None
    for path, body, stop in _walk(moov, 0, len(moov), ()):
        kind = path[-1]
        if kind == b"tkhd":
            version = moov[body]
            track = Track(struct.unpack_from(">I", moov, body + (20 if version else 12))[0])
            info.tracks[track.track_id] = track
        elif track is not None and kind == b"mdhd":
            offset = body + (20 if moov[body] else 12)
            track.timescale = struct.unpack_from(">I", moov, offset)[0]
        elif track is not None and kind == b"hdlr":
            track.handler = moov[body + 8 : body + 12]
        elif track is not None and kind == b"avc1":
            track.width, track.height = struct.unpack_from(">HH", moov, body + 24)
            _avc_codec(moov, body + 78, stop, track)
        elif track is not None and kind == b"mp4a":
            track.codec = _mp4a_codec(moov, body + 28, stop)
        elif kind == b"trex":
            track_id, _, duration, _, flags = struct.unpack_from(">5I", moov, body + 4)
            if track_id in info.tracks:
                info.tracks[track_id].default_duration = duration
                info.tracks[track_id].default_flags = flags
    return info


def _avc_codec(data: bytes, start: int, end: int, track: Track) -> None:
    for kind, body, _ in iter_boxes(data, start, end):
        if kind == b"avcC":
            profile, compat, level = data[body + 1 : body + 4]
            track.codec = f"avc1.{profile:02x}{compat:02x}{level:02x}"


def _mp4a_codec(data: bytes, start: int, end: int) -> str:
    """mp4a.40.<audio object type> from the esds DecoderSpecificInfo (mp4a.40.2: AAC-LC)."""
    for kind, body, stop in iter_boxes(data, start, end):
        if kind != b"esds":
            continue
        blob = data[body + 4 : stop]
        marker = blob.find(b"\x05")  # DecSpecificInfo tag, then a length of 1–4 bytes
        while marker >= 0:
            pos = marker + 1
            while pos < len(blob) and blob[pos] & 0x80:
                pos += 1
            if pos + 1 < len(blob):
                return f"mp4a.40.{blob[pos + 1] >> 3}"
            break
    return "mp4a.40.2"


@dataclass
class TrackRun:
    """One track's part of a fragment."""

    track_id: int
    base_time: int
    duration: int
    starts_with_sync: bool


def parse_fragment(moof: bytes, init: InitInfo) -> list[TrackRun]:
    """Each track's timing in a `moof` box (whole box bytes)."""
    runs: list[TrackRun] = []
    for kind, body, stop in iter_boxes(moof, 8, len(moof)):
        if kind == b"traf":
            runs.append(_parse_traf(moof, body, stop, init))
    return runs


def _parse_traf(data: bytes, start: int, end: int, init: InitInfo) -> TrackRun:
    track_id = base = duration = 0
    default_duration = default_flags = 0
    first_flags: int | None = None
    for kind, body, _ in iter_boxes(data, start, end):
        flags = int.from_bytes(data[body + 1 : body + 4], "big")
        if kind == b"tfhd":
            track_id = struct.unpack_from(">I", data, body + 4)[0]
            track = init.tracks.get(track_id)
            default_duration = track.default_duration if track else 0
            default_flags = track.default_flags if track else 0
            pos = body + 8 + (8 if flags & 0x1 else 0) + (4 if flags & 0x2 else 0)
            if flags & 0x8:
                default_duration = struct.unpack_from(">I", data, pos)[0]
                pos += 4
            pos += 4 if flags & 0x10 else 0
            if flags & 0x20:
                default_flags = struct.unpack_from(">I", data, pos)[0]
        elif kind == b"tfdt":
            fmt = ">Q" if data[body] == 1 else ">I"
            base = struct.unpack_from(fmt, data, body + 4)[0]
        elif kind == b"trun":
            defaults = (default_duration, default_flags)
            run_duration, run_first = _parse_trun(data, body, flags, *defaults)
            duration += run_duration
            if first_flags is None:
                first_flags = run_first
    sync = first_flags is not None and not first_flags & _NON_SYNC
    return TrackRun(track_id, base, duration, sync)


def _parse_trun(
    data: bytes, body: int, flags: int, default_duration: int, default_flags: int
) -> tuple[int, int]:
    """(total duration, first sample's flags) of a trun box."""
    count = struct.unpack_from(">I", data, body + 4)[0]
    pos = body + 8 + (4 if flags & 0x1 else 0)
    first_flags = default_flags
    if flags & 0x4:
        first_flags = struct.unpack_from(">I", data, pos)[0]
        pos += 4
    fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
    if 0x100 not in fields:
        if fields and 0x400 in fields and count and not flags & 0x4:
            first_flags = struct.unpack_from(">I", data, pos + 4 * fields.index(0x400))[0]
        return default_duration * count, first_flags
    stride = 4 * len(fields)
    total = 0
    for index in range(count):
        at = pos + index * stride
        total += struct.unpack_from(">I", data, at)[0]
        if index == 0 and 0x400 in fields and not flags & 0x4:
            first_flags = struct.unpack_from(">I", data, at + 4 * fields.index(0x400))[0]
    return total, first_flags

"""RTMP audio/video/data messages → FLV tags (:class:`~owncastd.core.media.FlvTag`)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

from owncastd.core.media import FlvTag, TagKind

_HEADER = struct.Struct(">II3x")  # type+size, timestamp (24 bits + extended byte), stream id 0
_PREVIOUS_SIZE = struct.Struct(">I")

AVC, HEVC_LEGACY, AV1_LEGACY = 7, 12, 13
AAC, EX_AUDIO = 10, 9
_LEGACY_PACKETIZED = (AVC, HEVC_LEGACY, AV1_LEGACY)
_EX_SEQUENCE_START = (0, 5)  # PacketTypeSequenceStart, PacketTypeMPEG2TSSequenceStart
_EX_CODED_FRAMES = (1, 3, 6)  # CodedFrames, CodedFramesX, Multitrack
_COMMAND_FRAME = 5


def make_tag(
    kind: TagKind,
    timestamp: int,
    body: bytes,
    *,
    keyframe: bool = False,
    sequence_header: bool = False,
) -> FlvTag:
    """Wrap `body` in an FLV tag header and PreviousTagSize."""
    size = len(body)
    timestamp &= 0xFFFFFFFF
    header = _HEADER.pack((kind << 24) | size, ((timestamp & 0xFFFFFF) << 8) | (timestamp >> 24))
    data = b"".join((header, body, _PREVIOUS_SIZE.pack(size + 11)))
    return FlvTag(kind, timestamp, data, keyframe, sequence_header)


def video_tag(timestamp: int, body: bytes) -> FlvTag:
    """An FLV video tag; keyframe/sequence header from the legacy or enhanced-RTMP header."""
    first = body[0]
    if first & 0x80:  # enhanced RTMP ExVideoTagHeader
        frame_type = (first >> 4) & 0x07
        packet_type = first & 0x0F
        sequence_header = packet_type in _EX_SEQUENCE_START and frame_type != _COMMAND_FRAME
        keyframe = frame_type == 1 and packet_type in _EX_CODED_FRAMES
    else:
        frame_type = first >> 4
        if (first & 0x0F) in _LEGACY_PACKETIZED and len(body) > 1:
            sequence_header = body[1] == 0
            keyframe = frame_type == 1 and body[1] == 1
        else:
            sequence_header = False
            keyframe = frame_type == 1
    return make_tag(
        TagKind.VIDEO, timestamp, body, keyframe=keyframe, sequence_header=sequence_header
    )


def audio_tag(timestamp: int, body: bytes) -> FlvTag:
    """An FLV audio tag; AAC AudioSpecificConfig / enhanced SequenceStart are sequence headers."""
    sound_format = body[0] >> 4
    if sound_format == AAC:
        sequence_header = len(body) > 1 and body[1] == 0
    elif sound_format == EX_AUDIO:
        sequence_header = (body[0] & 0x0F) == 0
    else:
        sequence_header = False
    return make_tag(TagKind.AUDIO, timestamp, body, sequence_header=sequence_header)


def media_tag(type_id: int, timestamp: int, body: bytes) -> FlvTag | None:
    """The tag for an RTMP audio (8) or video (9) message; None for an empty body."""
    if not body:
        return None
    if type_id == TagKind.VIDEO:
        return video_tag(timestamp, body)
    return audio_tag(timestamp, body)


def split_aggregate(timestamp: int, payload: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(type, timestamp, body) of each FLV tag inside an RTMP aggregate message (type 22).

    Sub-tag timestamps are rebased so the first one lands on the message's timestamp. A
    truncated trailing tag is dropped.
    """
    pos = 0
    base: int | None = None
    while pos + 11 <= len(payload):
        kind_size, stamp = _HEADER.unpack_from(payload, pos)
        size = kind_size & 0xFFFFFF
        end = pos + 11 + size
        if end > len(payload):
            return
        sub_ts = (stamp >> 8) | ((stamp & 0xFF) << 24)
        if base is None:
            base = sub_ts
        yield kind_size >> 24, (timestamp + sub_ts - base) & 0xFFFFFFFF, payload[pos + 11 : end]
        pos = end + 4

"""Media handed from ingest to the transcoder: FLV tags and what the broadcaster told us."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# FLV file header (version 1, audio + video present) followed by PreviousTagSize0.
FLV_HEADER = b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00"


class TagKind(enum.IntEnum):
    """FLV tag types (the RTMP message type ids of the same media)."""

    AUDIO = 8
    VIDEO = 9
    SCRIPT = 18


@dataclass(frozen=True, slots=True)
class FlvTag:
    """One complete FLV tag (11-byte header, body, 4-byte PreviousTagSize).

    `keyframe` marks video tags a decoder can start from; `sequence_header` marks the AVC/HEVC
    decoder configuration or AAC AudioSpecificConfig that a fresh ffmpeg needs before any frame.
    """

    kind: TagKind
    timestamp: int
    data: bytes
    keyframe: bool = False
    sequence_header: bool = False


@dataclass(frozen=True)
class StreamDetails:
    """The broadcaster's stream as described by its `onMetaData` (Owncast's `streamDetails`).

    Bitrates are in kbit/s. Codec names follow Owncast: "H.264", "H.265", "AAC", "MP3",
    "Speex", "No audio".
    """

    width: int = 0
    height: int = 0
    framerate: float = 0.0
    video_bitrate: int = 0
    video_codec: str = ""
    audio_bitrate: int = 0
    audio_codec: str = ""
    encoder: str = ""
    video_only: bool = False

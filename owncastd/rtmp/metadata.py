"""`onMetaData` → :class:`~owncastd.core.media.StreamDetails` and the FLV script tag."""

from __future__ import annotations

import math

from owncastd.core.media import FlvTag, StreamDetails, TagKind
from owncastd.rtmp import amf0
from owncastd.rtmp.flv import make_tag

VIDEO_CODECS: dict[object, str] = {
    2.0: "Sorenson H.263",
    3.0: "Screen video",
    4.0: "VP6",
    5.0: "VP6 alpha",
    6.0: "Screen video v2",
    7.0: "H.264",
    12.0: "H.265",
    13.0: "AV1",
    "avc1": "H.264",
    "hvc1": "H.265",
    "hev1": "H.265",
    "av01": "AV1",
    "vp09": "VP9",
    "vp08": "VP8",
}

AUDIO_CODECS: dict[object, str] = {
    0.0: "Linear PCM",
    1.0: "ADPCM",
    2.0: "MP3",
    3.0: "Linear PCM",
    4.0: "Nellymoser",
    5.0: "Nellymoser",
    6.0: "Nellymoser",
    7.0: "G.711 A-law",
    8.0: "G.711 mu-law",
    10.0: "AAC",
    11.0: "Speex",
    14.0: "MP3",
    "mp4a": "AAC",
    ".mp3": "MP3",
    "mp3": "MP3",
    "Opus": "Opus",
    "opus": "Opus",
    "ac-3": "AC-3",
    "ec-3": "E-AC-3",
    "fLaC": "FLAC",
}


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


def _codec(value: object, names: dict[object, str]) -> str:
    if isinstance(value, bool):
        return "Unknown"
    if isinstance(value, int | float):
        return names.get(float(value), f"Unknown ({value:g})")
    if isinstance(value, str):
        return names.get(value, value.strip() or "Unknown")
    return "Unknown"


def stream_details(metadata: dict[str, object]) -> StreamDetails:
    """Owncast's `streamDetails` from an `onMetaData` object (bitrates in kbit/s)."""
    framerate = _number(metadata.get("framerate")) or _number(metadata.get("fps"))
    audio = metadata.get("audiocodecid")
    no_audio = audio is None or audio is amf0.UNDEFINED
    encoder = metadata.get("encoder")
    return StreamDetails(
        width=int(_number(metadata.get("width"))),
        height=int(_number(metadata.get("height"))),
        framerate=framerate,
        video_bitrate=round(_number(metadata.get("videodatarate"))),
        video_codec=_codec(metadata.get("videocodecid"), VIDEO_CODECS),
        audio_bitrate=0 if no_audio else round(_number(metadata.get("audiodatarate"))),
        audio_codec="No audio" if no_audio else _codec(audio, AUDIO_CODECS),
        encoder=encoder if isinstance(encoder, str) else "",
        video_only=no_audio,
    )


def script_tag(timestamp: int, metadata: dict[str, object]) -> FlvTag | None:
    """The FLV `onMetaData` script tag ffmpeg reads; None if the values cannot be AMF0."""
    try:
        body = amf0.encode_all("onMetaData", amf0.EcmaArray(metadata))
    except amf0.AmfError:
        return None
    return make_tag(TagKind.SCRIPT, timestamp, body)

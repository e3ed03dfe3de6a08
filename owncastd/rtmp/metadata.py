"""`onMetaData` → :class:`~owncastd.core.media.StreamDetails` and the FLV script tag.

The broadcaster's numbers are shown to admins and viewers, so each must be sane or it counts as
absent (0): width and height whole pixels in 0..16384, frame rate 0..1000, bitrates 0..1e6
kbit/s. Text is cut: the encoder name to 256 characters, a codec name to 64. A codec id may
be an enhanced-RTMP FourCC packed into a number (1752589105 is 'hvc1', shown as "H.265").
"""

from __future__ import annotations

from owncastd.core.codecs import FOURCC_VIDEO, LEGACY_VIDEO, fourcc_of_number
from owncastd.core.media import FlvTag, StreamDetails, TagKind
from owncastd.rtmp import amf0
from owncastd.rtmp.flv import make_tag

VIDEO_CODECS: dict[object, str] = {float(codec_id): name for codec_id, name in LEGACY_VIDEO.items()}
VIDEO_CODECS.update(FOURCC_VIDEO)  # a FourCC string in `videocodecid` (enhanced RTMP)

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


MAX_DIMENSION = 16384
MAX_FRAMERATE = 1000.0
MAX_BITRATE = 1_000_000.0
MAX_ENCODER_LENGTH = 256
MAX_CODEC_LENGTH = 64


def _number(value: object, maximum: float) -> float:
    """`value` if it is a number in 0..maximum, else 0 (absent)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    number = float(value)
    return number if 0.0 <= number <= maximum else 0.0  # NaN fails both comparisons


def _codec(value: object, names: dict[object, str]) -> str:
    if isinstance(value, bool):
        return "Unknown"
    if isinstance(value, int | float):
        fourcc = fourcc_of_number(value)  # enhanced RTMP packs the FourCC into the number
        if fourcc is not None:
            return names.get(fourcc, fourcc.strip() or "Unknown")
        return names.get(float(value), f"Unknown ({value:g})")
    if isinstance(value, str):
        return names.get(value, value.strip()[:MAX_CODEC_LENGTH] or "Unknown")
    return "Unknown"


def stream_details(metadata: dict[str, object]) -> StreamDetails:
    """Owncast's `streamDetails` from an `onMetaData` object (bitrates in kbit/s)."""
    framerate = _number(metadata.get("framerate"), MAX_FRAMERATE) or _number(
        metadata.get("fps"), MAX_FRAMERATE
    )
    audio = metadata.get("audiocodecid")
    no_audio = audio is None or audio is amf0.UNDEFINED
    encoder = metadata.get("encoder")
    return StreamDetails(
        width=int(_number(metadata.get("width"), MAX_DIMENSION)),
        height=int(_number(metadata.get("height"), MAX_DIMENSION)),
        framerate=framerate,
        video_bitrate=round(_number(metadata.get("videodatarate"), MAX_BITRATE)),
        video_codec=_codec(metadata.get("videocodecid"), VIDEO_CODECS),
        audio_bitrate=0 if no_audio else round(_number(metadata.get("audiodatarate"), MAX_BITRATE)),
        audio_codec="No audio" if no_audio else _codec(audio, AUDIO_CODECS),
        encoder=encoder[:MAX_ENCODER_LENGTH] if isinstance(encoder, str) else "",
        video_only=no_audio,
    )


_RANGES = {
    "width": MAX_DIMENSION,
    "height": MAX_DIMENSION,
    "framerate": MAX_FRAMERATE,
    "fps": MAX_FRAMERATE,
    "videodatarate": MAX_BITRATE,
    "audiodatarate": MAX_BITRATE,
}


def sane(metadata: dict[str, object]) -> dict[str, object]:
    """`metadata` without the sizes, rates and bitrates that are out of range (ffmpeg reads
    some of them from the script tag before the first frame)."""
    return {
        key: value
        for key, value in metadata.items()
        if key not in _RANGES or _number(value, _RANGES[key]) or value == 0
    }


def script_tag(timestamp: int, metadata: dict[str, object]) -> FlvTag | None:
    """The FLV `onMetaData` script tag ffmpeg reads; None if the values cannot be AMF0."""
    try:
        body = amf0.encode_all("onMetaData", amf0.EcmaArray(metadata))
    except amf0.AmfError:
        return None
    return make_tag(TagKind.SCRIPT, timestamp, body)

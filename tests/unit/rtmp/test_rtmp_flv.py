"""RTMP media → FLV tags, and onMetaData → StreamDetails."""

from __future__ import annotations

import pytest

from owncastd.core.media import StreamDetails, TagKind
from owncastd.rtmp import amf0
from owncastd.rtmp.flv import audio_tag, make_tag, media_tag, split_aggregate, video_tag
from owncastd.rtmp.metadata import script_tag, stream_details


def test_tag_header_body_and_previous_tag_size() -> None:
    tag = make_tag(TagKind.AUDIO, 0x0A0B0C0D, b"\xaf\x01hello")
    assert tag.data == (
        b"\x08"  # audio
        + b"\x00\x00\x07"  # body size
        + b"\x0b\x0c\x0d"  # timestamp, low 24 bits
        + b"\x0a"  # timestamp, extended byte
        + b"\x00\x00\x00"  # stream id
        + b"\xaf\x01hello"
        + b"\x00\x00\x00\x12"  # PreviousTagSize = 11 + 7
    )
    assert tag.timestamp == 0x0A0B0C0D
    assert tag.kind is TagKind.AUDIO


@pytest.mark.parametrize(
    ("body", "keyframe", "sequence_header"),
    [
        (b"\x17\x00\x00\x00\x00\x01", False, True),  # AVC sequence header
        (b"\x17\x01\x00\x00\x00data", True, False),  # AVC keyframe (NALUs)
        (b"\x27\x01\x00\x00\x00data", False, False),  # AVC inter frame
        (b"\x17\x02\x00\x00\x00", False, False),  # AVC end of sequence
        (b"\x1c\x00\x00\x00\x00", False, True),  # legacy HEVC (codec id 12) sequence header
        (b"\x1c\x01\x00\x00\x00data", True, False),
        (b"\x12frame", True, False),  # Sorenson H.263 keyframe
        (b"\x22frame", False, False),
        (b"\x90hvc1config", False, True),  # enhanced: keyframe + SequenceStart
        (b"\x91hvc1\x00\x00\x00data", True, False),  # enhanced: keyframe + CodedFrames
        (b"\x93av01data", True, False),  # enhanced: keyframe + CodedFramesX
        (b"\xa3av01data", False, False),  # enhanced: inter frame + CodedFramesX
        (b"\x92hvc1", False, False),  # enhanced: SequenceEnd
        (b"\xd0\x00", False, False),  # enhanced: command frame (frame type 5)
    ],
)
def test_video_flags(body: bytes, keyframe: bool, sequence_header: bool) -> None:
    tag = video_tag(1000, body)
    assert (tag.keyframe, tag.sequence_header) == (keyframe, sequence_header)
    assert tag.kind is TagKind.VIDEO
    assert tag.data[11:-4] == body


@pytest.mark.parametrize(
    ("body", "sequence_header"),
    [
        (b"\xaf\x00\x12\x10", True),  # AAC AudioSpecificConfig
        (b"\xaf\x01frame", False),
        (b"\x2fframe", False),  # MP3
        (b"\x90Opus", True),  # enhanced audio SequenceStart
        (b"\x91Opusframe", False),
    ],
)
def test_audio_flags(body: bytes, sequence_header: bool) -> None:
    tag = audio_tag(5, body)
    assert tag.sequence_header is sequence_header
    assert not tag.keyframe


def test_empty_media_bodies_are_dropped() -> None:
    assert media_tag(9, 0, b"") is None
    assert media_tag(8, 0, b"") is None
    assert media_tag(9, 0, b"\x17\x01x") is not None  # a body is kept
    assert media_tag(8, 0, b"\xaf\x01y") is not None


def test_split_aggregate_rebases_timestamps() -> None:
    inner = make_tag(TagKind.VIDEO, 5000, b"\x17\x01x").data
    inner += make_tag(TagKind.AUDIO, 5021, b"\xaf\x01y").data
    inner += b"\x09\x00\x00"  # a truncated trailing tag is ignored
    assert list(split_aggregate(100, inner)) == [(9, 100, b"\x17\x01x"), (8, 121, b"\xaf\x01y")]


OBS_METADATA = amf0.EcmaArray(
    duration=0.0,
    fileSize=0.0,
    width=1920.0,
    height=1080.0,
    videocodecid=7.0,
    videodatarate=2500.0,
    framerate=30.0,
    audiocodecid=10.0,
    audiodatarate=160.0,
    audiosamplerate=48000.0,
    audiosamplesize=16.0,
    audiochannels=2.0,
    stereo=True,
    **{"2.1": False, "3.1": False, "4.0": False, "4.1": False, "5.1": False, "7.1": False},
    encoder="obs-output module (libobs version 30.1.2)",
)


def test_obs_metadata() -> None:
    assert stream_details(OBS_METADATA) == StreamDetails(
        width=1920,
        height=1080,
        framerate=30.0,
        video_bitrate=2500,
        video_codec="H.264",
        audio_bitrate=160,
        audio_codec="AAC",
        encoder="obs-output module (libobs version 30.1.2)",
        video_only=False,
    )


@pytest.mark.parametrize(
    ("metadata", "video", "audio", "video_only"),
    [
        ({"videocodecid": "avc1", "audiocodecid": "mp4a"}, "H.264", "AAC", False),
        ({"videocodecid": 12.0, "audiocodecid": 2.0}, "H.265", "MP3", False),
        ({"videocodecid": "hvc1", "audiocodecid": 11.0}, "H.265", "Speex", False),
        ({"videocodecid": "av01", "audiocodecid": "Opus"}, "AV1", "Opus", False),
        ({"videocodecid": 4.0}, "VP6", "No audio", True),
        ({"videocodecid": 99.0, "audiocodecid": amf0.UNDEFINED}, "Unknown (99)", "No audio", True),
        ({"videocodecid": "weird"}, "weird", "No audio", True),
        ({}, "Unknown", "No audio", True),
    ],
)
def test_codec_names(metadata: dict[str, object], video: str, audio: str, video_only: bool) -> None:
    details = stream_details(metadata)
    assert (details.video_codec, details.audio_codec, details.video_only) == (
        video,
        audio,
        video_only,
    )


def test_fps_and_bad_values_are_tolerated() -> None:
    details = stream_details(
        {"fps": 29.97, "width": "wide", "height": True, "videodatarate": float("nan")}
    )
    assert details.framerate == 29.97
    assert (details.width, details.height, details.video_bitrate) == (0, 0, 0)


def test_script_tag_is_plain_on_metadata() -> None:
    tag = script_tag(0, dict(OBS_METADATA))
    assert tag is not None
    assert tag.kind is TagKind.SCRIPT
    assert amf0.decode_all(tag.data[11:-4]) == ["onMetaData", OBS_METADATA]
    assert tag.data[11:-4].startswith(b"\x02\x00\x0aonMetaData\x08")

"""Enhanced-RTMP codecs: reading them from tags and `onMetaData`, and which ones are refused."""

from __future__ import annotations

import pytest

from owncastd.core.codecs import (
    IngestFormats,
    LastRefusal,
    VideoFormat,
    format_of_codec_id,
    fourcc_of_number,
)
from owncastd.rtmp.codec_guard import CodecGuard, video_format
from owncastd.rtmp.flv import audio_tag, video_tag
from owncastd.rtmp.metadata import stream_details
from tests.component.rtmp_client import AVC_SEQUENCE_HEADER, avc_frame
from tests.enhanced_flv import FOURCC_NUMBERS, ex_video_body

HEVC = VideoFormat("H.265", "hvc1")
DEBIAN_51 = IngestFormats((), ffmpeg="ffmpeg 5.1.9")  # reads none of the checked forms


@pytest.mark.parametrize(
    ("number", "fourcc", "shown"),
    [(FOURCC_NUMBERS["hvc1"], "hvc1", "H.265"), (FOURCC_NUMBERS["av01"], "av01", "AV1"),
     (FOURCC_NUMBERS["vp09"], "vp09", "VP9")],
)  # fmt: skip
def test_a_fourcc_packed_into_a_number_is_named(number: float, fourcc: str, shown: str) -> None:
    assert fourcc_of_number(number) == fourcc
    assert stream_details({"videocodecid": number}).video_codec == shown
    assert format_of_codec_id(number) == VideoFormat(shown, fourcc)


@pytest.mark.parametrize("value", [7.0, 0.0, -1.0, 1e308, float("nan"), 1752589105.5, True, None])
def test_other_numbers_are_no_fourcc(value: object) -> None:
    assert fourcc_of_number(value) is None


def test_codec_ids_of_metadata() -> None:
    assert format_of_codec_id(7.0) == VideoFormat("H.264", "codec id 7")
    assert format_of_codec_id("avc1") == VideoFormat("H.264", "avc1")
    assert format_of_codec_id("not a fourcc") is None
    assert format_of_codec_id(99.0) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ex_video_body(1, 0, b"hvc1", b"\x01"), HEVC),
        (ex_video_body(2, 1, b"av01", b"\x00\x00\x00"), VideoFormat("AV1", "av01")),
        (ex_video_body(1, 3, b"vp09", b""), VideoFormat("VP9", "vp09")),
        (b"\x96\x00hvc1\x00", HEVC),  # multitrack: one more byte before the FourCC
        (b"\x97\x00\xaa\x00hvc1", HEVC),  # a 1-byte modifier extension first
        (b"\x97\x00\xaa\x06\x00hvc1", HEVC),  # modifier extension, then multitrack
        (AVC_SEQUENCE_HEADER, VideoFormat("H.264", "codec id 7")),
        (b"\x1c\x00\x00\x00\x00", VideoFormat("H.265", "codec id 12")),
        (b"\x90hv", None),  # cut short
        (b"\x97\x05", None),
    ],
)
def test_video_format_of_a_tag_body(body: bytes, expected: VideoFormat | None) -> None:
    assert video_format(body) == expected


def test_debian_ffmpeg_refuses_each_enhanced_form_and_names_it() -> None:
    reason = DEBIAN_51.refusal(HEVC)
    assert reason == (
        "video codec H.265 (hvc1) cannot be ingested by the installed ffmpeg (ffmpeg 5.1.9); "
        "publish H.264"
    )
    assert DEBIAN_51.refusal(VideoFormat("H.264", "avc1")) is not None  # enhanced H.264 too
    assert DEBIAN_51.refusal(VideoFormat("H.264", "codec id 7")) is None
    assert DEBIAN_51.refusal(VideoFormat("VP6", "codec id 4")) is None  # unchecked: as before
    assert DEBIAN_51.refusal(VideoFormat("vvc1", "vvc1")) is not None  # an unknown FourCC
    assert IngestFormats(["hvc1"]).refusal(VideoFormat("vvc1", "vvc1")) is not None
    assert IngestFormats(["hvc1"]).refusal(HEVC) is None  # a newer ffmpeg reads it
    assert IngestFormats.everything().refusal(HEVC) is None


def test_an_announced_codec_is_refused_only_when_no_form_of_it_can_be_read() -> None:
    # GStreamer and others announce "avc1" while sending legacy H.264 tags.
    assert DEBIAN_51.refusal(VideoFormat("H.264", "avc1"), announced=True) is None
    assert DEBIAN_51.refusal(HEVC, announced=True) is not None
    assert IngestFormats(["codec id 12"]).refusal(HEVC, announced=True) is None
    assert DEBIAN_51.refusal(VideoFormat("x264", "x264"), announced=True) is None  # unknown


def test_guard_judges_the_first_video_tag_and_records_the_refusal() -> None:
    last = LastRefusal()
    guard = CodecGuard(DEBIAN_51, last)
    assert guard.check_tag(audio_tag(0, b"\xaf\x00\x12\x10")) is None
    reason = guard.check_tag(video_tag(0, ex_video_body(1, 0, b"hvc1", b"\x01")))
    assert reason is not None and "H.265 (hvc1)" in reason
    assert last.problem() == f"rtmp: last publish refused: {reason}"

    good = CodecGuard(DEBIAN_51, last)
    assert good.check_announced(format_of_codec_id(7.0)) is None
    assert last.problem() is not None  # announcing is not proof: the first tag is
    assert good.check_tag(video_tag(0, AVC_SEQUENCE_HEADER)) is None
    assert last.problem() is None
    assert good.check_tag(video_tag(40, ex_video_body(1, 1, b"hvc1", b""))) is None  # verified
    assert good.check_tag(video_tag(80, avc_frame(True))) is None


def test_guard_refuses_an_announced_codec_before_any_video() -> None:
    last = LastRefusal()
    reason = CodecGuard(DEBIAN_51, last).check_announced(format_of_codec_id(FOURCC_NUMBERS["av01"]))
    assert reason is not None and "AV1 (av01)" in reason
    assert last.reason == reason


async def test_health_reports_the_last_refusal_until_a_publish_passes() -> None:
    from owncastd.ops.health import PARTS, Health

    health = Health(notify=lambda status: None)
    for part in PARTS:
        health.set_up(part, True)
    last = LastRefusal()
    health.add_check("publish", last.problem)
    assert (await health.report()).status == "ok"
    reason = DEBIAN_51.refusal(HEVC)
    assert reason is not None
    last.refused(reason)
    report = await health.report()
    assert report.status == "degraded"
    assert report.problems == (f"rtmp: last publish refused: {reason}",)
    last.accepted()
    assert (await health.report()).status == "ok"

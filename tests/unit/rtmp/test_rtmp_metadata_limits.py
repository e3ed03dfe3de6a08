"""Hostile `onMetaData` values: out-of-range numbers count as absent, long text is cut."""

from __future__ import annotations

import pytest

from owncastd.core.media import StreamDetails
from owncastd.rtmp.metadata import sane, stream_details

HOSTILE = {
    "width": 1e308,
    "height": -240.0,
    "framerate": 1e9,
    "fps": -30.0,
    "videodatarate": -2500.0,
    "audiodatarate": 1e12,
    "videocodecid": "x" * 10_000,
    "audiocodecid": " " + "y" * 10_000,
    "encoder": "e" * 100_000,
}


def test_hostile_numbers_are_absent_and_text_is_cut() -> None:
    details = stream_details(HOSTILE)
    assert details == StreamDetails(
        width=0,
        height=0,
        framerate=0.0,
        video_bitrate=0,
        video_codec="x" * 64,
        audio_bitrate=0,
        audio_codec="y" * 64,
        encoder="e" * 256,
        video_only=False,
    )


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("width", 16384.0, "width", 16384),
        ("width", 16385.0, "width", 0),
        ("height", 0.0, "height", 0),
        ("height", 1080.9, "height", 1080),
        ("height", float("inf"), "height", 0),
        ("framerate", 1000.0, "framerate", 1000.0),
        ("framerate", 1000.5, "framerate", 0.0),
        ("framerate", float("nan"), "framerate", 0.0),
        ("videodatarate", 1e6, "video_bitrate", 1_000_000),
        ("videodatarate", 1e6 + 1, "video_bitrate", 0),
        ("videodatarate", -0.4, "video_bitrate", 0),
    ],
)
def test_number_ranges(key: str, value: float, field: str, expected: float) -> None:
    assert getattr(stream_details({key: value, "audiocodecid": 10.0}), field) == expected


def test_hostile_values_cannot_make_a_huge_number_text() -> None:
    details = stream_details({"width": 1e308, "height": 1e308, "videocodecid": 1e308})
    assert len(f"{details.width}x{details.height} {details.video_codec}") < 40


def test_the_forwarded_metadata_drops_insane_numbers_only() -> None:
    metadata = {**HOSTILE, "width": 1280.0, "height": 0.0, "duration": 0.0, "x": "kept"}
    assert sane(metadata) == {
        "width": 1280.0,
        "height": 0.0,
        "videocodecid": HOSTILE["videocodecid"],
        "audiocodecid": HOSTILE["audiocodecid"],
        "encoder": HOSTILE["encoder"],
        "duration": 0.0,
        "x": "kept",
    }

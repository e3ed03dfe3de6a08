"""Program dates anchored to when a run's first frame arrived, not to ffmpeg's start-up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import trio

from owncastd.core.media import FlvTag
from owncastd.hls.playlist import ContinuousPlaylist
from owncastd.hls.program_date import (
    RunAnchor,
    format_program_date,
    parse_program_date,
)
from owncastd.hls.tag_feed import TagFeed
from tests.unit.hls.test_transcoder_feed import AAC_CONFIG, AVC_CONFIG, META, audio, video

T0 = datetime(2026, 12, 4, 4, 29, 15, 176_000, tzinfo=UTC).timestamp()


def run_text(first: int, dates: list[float], run: str = "x") -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:2"]
    lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first}")
    for offset, date in enumerate(dates):
        name = f"stream-{run}-{first + offset}.ts"
        lines += ["#EXTINF:2.000000,", format_program_date(date), name]
    return "\n".join(lines) + "\n"


def dates(text: str) -> list[float | None]:
    return [parse_program_date(line) for line in text.splitlines() if "PROGRAM-DATE" in line]


def test_parse_and_format_as_ffmpeg_writes_them():
    line = "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T04:29:15.176+0000"
    assert parse_program_date(line) == T0
    assert format_program_date(T0) == line
    assert parse_program_date("#EXT-X-PROGRAM-DATE-TIME:2026-12-04T04:29:15Z") == int(T0)
    assert parse_program_date("#EXT-X-PROGRAM-DATE-TIME:yesterday") is None
    assert parse_program_date("#EXTINF:2.0,") is None


def test_a_run_is_dated_from_its_first_frame_with_ffmpegs_spacing():
    arrival = T0 - 1.45  # ffmpeg dated its header 1.45 s after the first frame arrived
    playlist = ContinuousPlaylist(window=10)
    playlist.start_run(RunAnchor(lambda: arrival))
    playlist.update(run_text(0, [T0, T0 + 2, T0 + 4]))
    assert dates(playlist.render()) == pytest.approx([arrival, arrival + 2, arrival + 4])


def test_dates_are_left_alone_without_an_arrival_or_with_an_absurd_shift():
    for arrival in (None, T0 - 3600):
        playlist = ContinuousPlaylist(window=10)
        anchor = RunAnchor(lambda arrival=arrival: arrival)
        playlist.start_run(anchor)
        playlist.update(run_text(0, [T0, T0 + 2]))
        assert dates(playlist.render()) == pytest.approx([T0, T0 + 2])
        assert anchor.shift == 0.0


def test_each_run_has_its_own_shift():
    playlist = ContinuousPlaylist(window=10)
    playlist.start_run(RunAnchor(lambda: T0 - 1.0))
    playlist.update(run_text(0, [T0, T0 + 2]))
    playlist.start_run(RunAnchor(lambda: T0 + 5.0))  # restarted: its keyframe came at T0 + 5
    playlist.update(run_text(0, [T0 + 6.5, T0 + 8.5], run="y"))
    assert dates(playlist.render()) == pytest.approx([T0 - 1, T0 + 1, T0 + 5, T0 + 7])


async def test_the_feed_notes_when_each_runs_first_keyframe_arrived():
    now = [100.0]
    send, receive = trio.open_memory_channel[FlvTag](100)
    for tag in [META, AVC_CONFIG, AAC_CONFIG]:
        send.send_nowait(tag)
    feed = TagFeed(receive, clock=lambda: now[0])
    send.send_nowait(video(0, key=True))
    send.send_nowait(audio(0))
    await feed.read_prefix()
    assert feed.run_start == 100.0  # the first keyframe (not the AVC configuration)
    feed.start_bytes(restarted=False)
    now[0] = 105.0
    for tag in [video(33), video(66, key=True)]:
        send.send_nowait(tag)
    assert [(await feed.next()).data for _ in range(3)] == [b"A0", b"V33", b"V66"]
    assert feed.run_start == 100.0  # later keyframes of the same run change nothing
    feed.start_bytes(restarted=True)
    assert feed.run_start is None
    now[0] = 107.0
    send.send_nowait(video(99))
    send.send_nowait(video(132, key=True))
    assert (await feed.next()).data == b"V132"
    assert feed.run_start == 107.0  # the keyframe the restarted run starts from

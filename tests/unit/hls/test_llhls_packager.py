"""The LL-HLS packager on a real fMP4 stream from ffmpeg: parts on fragment boundaries,
INDEPENDENT on keyframes, segment boundaries on keyframes only, the init segment's codecs."""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from owncastd.hls.llhls.boxes import BoxSplitter, iter_boxes
from owncastd.hls.llhls.cutter import Cutter
from owncastd.hls.llhls.window import Window
from tests.unit.hls.llhls_stream import FPS, GOP_SECONDS, SECONDS, fmp4_stream, keyframe_times

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None, reason="needs ffmpeg"
)


def cut(data: bytes, chunks: int = 97, keep: int = 8) -> Cutter:
    """Feed `data` in random-sized pieces, as a pipe delivers it."""
    cutter = Cutter(Window(1.0, 0.25, keep), wall_clock=lambda: 1_000_000.0)
    rng = random.Random(13)
    cuts = sorted(rng.sample(range(1, len(data)), chunks))
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        cutter.feed(data[start:end])
    cutter.window.end()
    return cutter


def top_level(data: bytes) -> list[tuple[bytes, bytes]]:
    return [(kind, data[body - 8 : end]) for kind, body, end in iter_boxes(data)]


def test_parts_are_the_fragments_in_order() -> None:
    data = fmp4_stream()
    boxes = top_level(data)
    moofs = [box for kind, box in boxes if kind == b"moof"]
    mdats = [box for kind, box in boxes if kind == b"mdat"]
    window = cut(data).window
    parts = [part for segment in window.segments for part in segment.parts]
    assert len(parts) == len(moofs) >= SECONDS * 4  # ~200 ms fragments
    assert [p.data for p in parts] == [m + d for m, d in zip(moofs, mdats, strict=True)]
    assert window.inits[0] == boxes[0][1] + boxes[1][1]  # ftyp + moov
    assert [kind for kind, _ in boxes[:2]] == [b"ftyp", b"moov"]
    durations = [p.duration for p in parts]
    assert abs(sum(durations) - SECONDS) < 0.05
    assert max(durations) <= 0.25 + 1e-9  # a 200 ms fragment plus at most one frame


def test_independent_parts_are_the_keyframes_and_start_segments(tmp_path: Path) -> None:
    data = fmp4_stream()
    source = tmp_path / "stream.mp4"
    source.write_bytes(data)
    keyframes = keyframe_times(str(source))
    assert keyframes == pytest.approx([float(n) for n in range(0, SECONDS, GOP_SECONDS)])
    window = cut(data).window
    independent_starts = []
    for segment in window.segments:
        assert segment.parts[0].independent  # a segment begins at a keyframe, always
        independent_starts += [part.start for part in segment.parts if part.independent]
    # Parts carry decode times: after the first, ffmpeg's video track runs ~23 ms (the audio
    # priming, its edit list's shift) behind the presentation times ffprobe reports.
    shift = independent_starts[1] - keyframes[1]
    assert 0 <= shift < 0.05
    assert independent_starts == pytest.approx([0.0] + [k + shift for k in keyframes[1:]])
    assert [s.msn for s in window.segments] == list(range(SECONDS // GOP_SECONDS))
    assert [s.duration for s in window.segments] == pytest.approx([1.0] * SECONDS, abs=0.03)
    # The segments' wall-clock times follow the media timeline: each starts where the
    # previous one's duration ends.
    segments = list(window.segments)
    for before, after in itertools.pairwise(segments):
        assert after.program_time - before.program_time == pytest.approx(before.duration)


def test_init_segment_names_the_codecs_and_size() -> None:
    cutter = cut(fmp4_stream())
    info = cutter.info
    assert info is not None
    video = info.video
    assert video is not None
    assert (video.width, video.height, video.timescale > 0) == (320, 180, True)
    assert info.codecs.startswith("avc1.") and len(info.codecs.split(",")[0]) == 11
    assert info.codecs.endswith(",mp4a.40.2")


def test_init_plus_a_segment_and_init_plus_parts_decode(tmp_path: Path) -> None:
    window = cut(fmp4_stream()).window
    segment = window.segments[1]
    assert segment.data is not None
    whole = tmp_path / "segment.mp4"
    whole.write_bytes(window.inits[0] + segment.data)
    parts = tmp_path / "parts.mp4"
    parts.write_bytes(window.inits[0] + b"".join(p.data for p in segment.parts[:2]))
    for path, frames in ((whole, FPS * GOP_SECONDS), (parts, None)):
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
             "-show_entries", "stream=nb_read_frames,codec_name", "-of", "csv=p=0", str(path)],
            check=True, capture_output=True, text=True, timeout=30,
        ).stdout.strip()  # fmt: skip
        codec, count = out.split(",")
        assert codec == "h264"
        assert int(count) == frames if frames else 0 < int(count) < FPS


def test_window_keeps_the_last_segments_only() -> None:
    window = cut(fmp4_stream(), keep=1).window
    assert [s.msn for s in window.segments] == [SECONDS - 1]
    assert list(window.inits) == [0]


def test_splitter_waits_for_whole_boxes() -> None:
    data = fmp4_stream()
    splitter = BoxSplitter()
    assert splitter.feed(data[:20]) == []
    kinds = [kind for kind, _ in splitter.feed(data[20:])]
    assert kinds[:3] == [b"ftyp", b"moov", b"moof"]


@pytest.mark.parametrize(
    ("arrived", "expected_first"),
    [
        (999_998.5, 999_998.5),  # ffmpeg's start-up: dated from the first frame's arrival
        (None, None),  # not known: the first part ends now
        (999_900.0, None),  # implausibly old (a clock step): ignored, as the classic dates
    ],
)
def test_program_dates_start_when_the_first_frame_arrived(arrived, expected_first) -> None:
    data = fmp4_stream()
    cutter = Cutter(Window(1.0, 0.25, 8), wall_clock=lambda: 1_000_000.0, arrival=lambda: arrived)
    cutter.feed(data)
    first = cutter.window.segments[0]
    if expected_first is None:
        expected_first = 1_000_000.0 - first.parts[0].duration
    assert first.program_time == pytest.approx(expected_first)
    second = cutter.window.segments[1]  # later dates follow the media timeline
    assert second.program_time - first.program_time == pytest.approx(first.duration, abs=0.002)

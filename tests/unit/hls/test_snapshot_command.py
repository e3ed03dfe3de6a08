"""The thumbnail + preview argv: keyframes only, one ffmpeg, newest segment last."""

from __future__ import annotations

from pathlib import Path

import pytest

from owncastd.hls.snapshot_command import build_snapshot_command, build_thumbnail_command
from owncastd.hls.thumbnails import recent_segments

THUMB = Path("/data/tmp/.thumbnail.tmp.jpg")
GIF = Path("/data/tmp/.preview.tmp.gif")


def test_only_keyframes_are_decoded_from_the_concatenated_segments() -> None:
    segments = [Path(f"/data/hls/0/stream-abc-{n}.ts") for n in (5, 6, 7)]
    argv = build_snapshot_command("ffmpeg", segments, THUMB, GIF)
    # -skip_frame is an input option: it must come before -i to apply to the decoder.
    assert argv[argv.index("-skip_frame") + 1] == "nokey"
    assert argv.index("-skip_frame") < argv.index("-i")
    assert argv[argv.index("-i") + 1] == (
        "concat:/data/hls/0/stream-abc-5.ts|/data/hls/0/stream-abc-6.ts|/data/hls/0/stream-abc-7.ts"
    )
    assert argv.count("-i") == 1  # one ffmpeg, one input, both outputs
    assert argv[-1] == str(GIF) and str(THUMB) in argv
    assert argv[argv.index("-vsync") + 1] == "passthrough"  # no frames duplicated between keyframes
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.count("scale=") == 1 and "fps=" not in graph


def test_one_segment_is_read_directly() -> None:
    argv = build_snapshot_command("ffmpeg", [Path("/hls/0/stream-abc-0.ts")], THUMB, GIF)
    assert argv[argv.index("-i") + 1] == "/hls/0/stream-abc-0.ts"


@pytest.mark.parametrize(
    ("segments", "preview", "message"),
    [
        ([], GIF, "at least one"),
        ([Path("/a|b/stream-x-1.ts")], GIF, "'|'"),
        ([Path("/hls/stream-x-1.ts")], Path("/tmp/preview.tmp"), r"\.gif"),
    ],
)
def test_bad_arguments(segments: list[Path], preview: Path, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_snapshot_command("ffmpeg", segments, THUMB, preview)


def test_recent_segments_of_the_same_run(tmp_path: Path) -> None:
    for name in ("stream-a-3.ts", "stream-a-5.ts", "stream-a-6.ts", "stream-b-5.ts"):
        (tmp_path / name).write_bytes(b"")
    newest = tmp_path / "stream-a-6.ts"
    assert recent_segments(newest) == [tmp_path / "stream-a-5.ts", newest]  # 4 cleaned away
    assert recent_segments(newest, count=4) == [
        tmp_path / "stream-a-3.ts", tmp_path / "stream-a-5.ts", newest,
    ]  # fmt: skip
    assert recent_segments(tmp_path / "stream-a-0.ts") == [tmp_path / "stream-a-0.ts"]
    assert recent_segments(tmp_path / "other.ts") == [tmp_path / "other.ts"]


def test_a_thumbnail_only_run_reads_the_newest_segment_alone() -> None:
    argv = build_thumbnail_command("ffmpeg", Path("/hls/0/stream-abc-7.ts"), THUMB)
    assert argv.index("-skip_frame") < argv.index("-i")
    assert argv[argv.index("-skip_frame") + 1] == "nokey"
    assert argv.count("-i") == 1 and argv[argv.index("-i") + 1] == "/hls/0/stream-abc-7.ts"
    assert argv[argv.index("-threads") + 1] == "1"
    assert argv[-1] == str(THUMB) and "palettegen" not in " ".join(argv)

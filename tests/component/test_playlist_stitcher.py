"""The stitcher with real ffmpeg HLS output: two runs (as after a restart) give one served
playlist with a continuing media sequence and a discontinuity; the master is copied; the
first run's playlist directory is removed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import trio

from owncastd.hls.output import HlsOutput
from owncastd.hls.playlist import parse_media_playlist
from owncastd.hls.stitcher import RUN_DIR_PREFIX, PlaylistStitcher

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"


def ffmpeg_run(root: Path, playlist_dir: Path, segment_id: str, seconds: int) -> None:
    """One short ffmpeg HLS run laid out as the transcoder's (1 s segments)."""
    argv = [
        FFMPEG, "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={seconds}",
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "300k", "-g:v:0", "10",
        "-preset:v:0", "ultrafast",
        "-var_stream_map", "v:0", "-f", "hls", "-hls_time", "1", "-hls_list_size", "25",
        "-hls_flags", "program_date_time+independent_segments+omit_endlist+temp_file",
        "-pix_fmt", "yuv420p", "-master_pl_name", "stream.m3u8",
        "-hls_segment_filename", str(root / "%v" / f"stream-{segment_id}-%d.ts"),
        str(playlist_dir / "%v" / "stream.m3u8"),
    ]  # fmt: skip
    subprocess.run(argv, check=True, timeout=30)


async def test_two_ffmpeg_runs_make_one_continuous_playlist(tmp_path: Path) -> None:
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    stitcher = PlaylistStitcher(output, variants=1, window=4)

    first_id = stitcher.new_run_id()
    first_dir = await stitcher.begin_run(first_id)
    await trio.to_thread.run_sync(ffmpeg_run, output.root, first_dir, first_id, 3)
    await stitcher.sync()
    assert output.master_playlist.read_text().strip().endswith("0/stream.m3u8")
    first = parse_media_playlist(output.variant_playlist(0).read_text())
    assert [s.uri for s in first.segments] == [f"stream-{first_id}-{n}.ts" for n in range(3)]

    second_id = stitcher.new_run_id()
    assert second_id != first_id
    second_dir = await stitcher.begin_run(second_id)
    assert not first_dir.exists()  # the old run's playlists are gone, its segments stay
    await trio.to_thread.run_sync(ffmpeg_run, output.root, second_dir, second_id, 3)
    await stitcher.sync()

    text = output.variant_playlist(0).read_text()
    served = parse_media_playlist(text)
    assert "#EXT-X-MEDIA-SEQUENCE:2" in text  # 6 segments, a window of 4
    assert [(s.uri, s.discontinuity) for s in served.segments] == [
        (f"stream-{first_id}-2.ts", False),
        (f"stream-{second_id}-0.ts", True),
        (f"stream-{second_id}-1.ts", False),
        (f"stream-{second_id}-2.ts", False),
    ]
    for segment in served.segments:
        assert (output.root / "0" / segment.uri).is_file()
    runs = [p for p in output.root.iterdir() if p.name.startswith(RUN_DIR_PREFIX)]
    assert runs == [second_dir]

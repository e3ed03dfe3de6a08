"""Real ffmpeg: the preview GIF is made with every PREVIEW_EVERY-th thumbnail; the runs between
refresh only the thumbnail (full-size JPEG of the newest segment) and leave the preview alone
(issue 17: the thumbnails' CPU ≤ 1% of a core)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import trio

from owncastd.hls.thumbnails import PREVIEW_EVERY, ThumbnailMaker

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"


def make_segments(directory: Path, count: int) -> list[Path]:
    """`count` 1 s MPEG-TS segments named as the transcoder's (`stream-<run>-<n>.ts`)."""
    argv = [
        FFMPEG, "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"testsrc=size=320x180:rate=10:duration={count}",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-pix_fmt", "yuv420p",
        "-f", "segment", "-segment_time", "1", "-reset_timestamps", "0",
        str(directory / "stream-abc-%d.ts"),
    ]  # fmt: skip
    subprocess.run(argv, check=True, timeout=30)
    return [directory / f"stream-abc-{n}.ts" for n in range(count)]


def image_size(image: Path) -> tuple[object, object, object]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json",
         str(image)],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    stream = json.loads(out)["streams"][0]
    return stream["codec_name"], stream["width"], stream["height"]


async def test_the_preview_comes_with_every_second_thumbnail(tmp_path: Path) -> None:
    assert PREVIEW_EVERY == 2
    segments = make_segments(tmp_path, 5)
    maker = ThumbnailMaker(FFMPEG, tmp_path / "thumbs")
    with trio.fail_after(30):
        assert await maker.make(segments[2])
    assert image_size(maker.preview) == ("gif", 480, 270)
    first_preview = maker.preview.read_bytes()
    first_thumbnail = maker.thumbnail.read_bytes()

    with trio.fail_after(30):
        assert await maker.make(segments[3])  # thumbnail only
    assert image_size(maker.thumbnail) == ("mjpeg", 320, 180)
    assert maker.thumbnail.read_bytes() != first_thumbnail  # the newer segment's keyframe
    assert maker.preview.read_bytes() == first_preview
    assert sorted(p.name for p in maker.directory.iterdir()) == ["preview.gif", "thumbnail.jpg"]

    with trio.fail_after(30):
        assert await maker.make(segments[4])  # both again
    assert maker.preview.read_bytes() != first_preview
    assert image_size(maker.preview) == ("gif", 480, 270)

    await maker.clear()  # offline; the next stream's first run makes both
    with trio.fail_after(30):
        assert await maker.make(segments[3])
    assert maker.preview.is_file()
    assert (maker.runs, maker.failures) == (4, 0)

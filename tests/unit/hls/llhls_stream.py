"""A real fragmented-MP4 byte stream from ffmpeg, as the LL-HLS packager gets it: 3 s of
lavfi testsrc 320x180 at 24 fps (a keyframe every second) with a sine tone, fragments of
200 ms. Made once per test session (well under a second of ffmpeg)."""

from __future__ import annotations

import functools
import shutil
import subprocess

from owncastd.hls.tee_output import FRAGMENT_MICROSECONDS

FFMPEG = shutil.which("ffmpeg")
SECONDS = 3
FPS = 24
GOP_SECONDS = 1


@functools.cache
def fmp4_stream() -> bytes:
    """The bytes ffmpeg writes to the pipe."""
    assert FFMPEG is not None
    argv = [
        FFMPEG, "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"testsrc=size=320x180:rate={FPS}",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", str(SECONDS),
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-g", str(FPS * GOP_SECONDS), "-keyint_min", str(FPS * GOP_SECONDS),
        "-x264-params", "scenecut=0:open_gop=0", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k", "-flags:v", "+global_header",
        "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
        "-frag_duration", str(FRAGMENT_MICROSECONDS), "pipe:1",
    ]  # fmt: skip
    return subprocess.run(argv, check=True, capture_output=True, timeout=60).stdout


def keyframe_times(path: str) -> list[float]:
    """The video keyframes' times in a file, by ffprobe: their frame numbers over the frame
    rate (constant here; ffprobe's pts_time would include the audio priming offset)."""
    ffprobe = shutil.which("ffprobe")
    assert ffprobe is not None
    argv = [
        ffprobe, "-v", "error", "-select_streams", "v:0",
        "-show_entries", "frame=key_frame", "-of", "csv=p=0", path,
    ]  # fmt: skip
    out = subprocess.run(
        argv,
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    flags = [line.strip(",") for line in out.split()]
    return [index / FPS for index, flag in enumerate(flags) if flag == "1"]

"""The one ffmpeg argv that makes `thumbnail.jpg` and `preview.gif` (reference §5.8, cheaper).

Owncast runs two ffmpegs on the newest segment every 20 s: a JPEG of its first frame, and a
one-second GIF at 8 fps from a full decode with lanczos scaling and a palette (~0.6 CPU-s per
run on a 720p segment, most of it decoding every frame). Here one ffmpeg decodes only the
keyframes (`-skip_frame nokey`, before `-i`) of the last few segments, read as one input
(`concat:` protocol, byte concatenation, fine for MPEG-TS):

* the thumbnail is the newest keyframe at the segment's own size (as Owncast's, a full-size
  JPEG), taken from the end of the input (`reverse` over a handful of frames);
* the preview scales each keyframe once to 480 px wide and plays them at PREVIEW_FPS, so
  three segments make a one-second animated GIF, as Owncast's is.

Between two previews (every PREVIEW_EVERY-th run, see :mod:`owncastd.hls.thumbnails`) a run
makes only the thumbnail, from the newest segment alone (:func:`build_thumbnail_command`):
~0.1 CPU-s instead of ~0.23 on a 720p 6 Mbit/s stream, most of a run being the three
segments read and the palette filters.

`-vsync passthrough` (not `-fps_mode`, which ffmpeg 4.x lacks) keeps ffmpeg from duplicating
frames to fill the gaps between keyframes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PREVIEW_FPS = 3
PREVIEW_WIDTH = 480
_FILTER = (
    "[0:v]split[t][g];"
    "[t]reverse,trim=end_frame=1[thumb];"
    f"[g]setpts=N/({PREVIEW_FPS}*TB),scale=w={PREVIEW_WIDTH}:h=-1:flags=lanczos,split[a][b];"
    "[a]palettegen=stats_mode=full[p];[b][p]paletteuse[gif]"
)


def build_snapshot_command(
    ffmpeg: str, segments: Sequence[Path], thumbnail: Path, preview: Path
) -> tuple[str, ...]:
    """One ffmpeg run: `thumbnail` (JPEG) and `preview` (GIF) from the keyframes of `segments`
    (oldest first; the thumbnail shows the last one's). Outputs are temp files to move.

    Raises ValueError for no segments, a segment path containing '|' (the `concat:`
    separator) or a preview name not ending in `.gif` (ffmpeg picks the muxer from it).
    """
    if not segments:
        raise ValueError("at least one segment is needed")
    if any("|" in str(segment) for segment in segments):
        raise ValueError(f"segment paths must not contain '|' ({segments})")
    if preview.suffix.lower() != ".gif":
        raise ValueError(f"preview output must end in .gif ({preview})")
    source = "concat:" + "|".join(map(str, segments)) if len(segments) > 1 else str(segments[0])
    return (
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        "-threads", "1", "-skip_frame", "nokey", "-i", source,
        "-filter_complex", _FILTER, "-vsync", "passthrough",
        "-map", "[thumb]", "-frames:v", "1", "-update", "1", "-f", "image2", str(thumbnail),
        "-map", "[gif]", str(preview),
    )  # fmt: skip


def build_thumbnail_command(ffmpeg: str, segment: Path, thumbnail: Path) -> tuple[str, ...]:
    """One ffmpeg run: `thumbnail` (JPEG, full size) from the last keyframe of `segment`."""
    return (
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        "-threads", "1", "-skip_frame", "nokey", "-i", str(segment),
        "-an", "-sn", "-dn", "-vf", "reverse,trim=end_frame=1", "-vsync", "passthrough",
        "-frames:v", "1", "-update", "1", "-f", "image2", str(thumbnail),
    )  # fmt: skip

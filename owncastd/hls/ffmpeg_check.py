"""Checking an ffmpeg path an admin submits (the `ffmpegpath` setter) before saving it.

Like Owncast, the binary is run to see that it answers like ffmpeg; unlike Owncast, only a file
whose name starts with `ffmpeg` is ever run, so the admin API cannot be used to start arbitrary
programs.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from owncastd.errors import FfmpegNotFoundError
from owncastd.hls.ffmpeg_binary import ffmpeg_version, find_ffmpeg


async def ffmpeg_path_problem(path: str) -> str | None:
    """Why `path` is not a usable ffmpeg, or None when `ffmpeg -version` answers."""
    if not PurePath(path).name.lower().startswith("ffmpeg"):
        return "must be the path of an ffmpeg binary (a file named ffmpeg…)"
    try:
        found = find_ffmpeg(path, {"PATH": os.environ.get("PATH", os.defpath)})
        version = await ffmpeg_version(found)
    except FfmpegNotFoundError as exc:
        return str(exc).replace("video.ffmpeg_path ", "", 1)
    if not version.startswith("ffmpeg version"):
        return f"{path!r} does not answer like ffmpeg"
    return None

"""Which known H.264 encoders this ffmpeg offers (Owncast's `GetCodecs`, reference §5.5)."""

from __future__ import annotations

import logging

from owncastd.config.settings import KNOWN_CODECS
from owncastd.hls.ffmpeg_binary import run_ffmpeg_probe

__all__ = ["detect_encoders", "parse_encoders"]

log = logging.getLogger(__name__)


def parse_encoders(ffmpeg_encoders_output: str) -> tuple[str, ...]:
    """The KNOWN_CODECS listed in `ffmpeg -encoders` output, in KNOWN_CODECS order.

    Encoder lines look like ` V....D libx264   libx264 H.264 / AVC …`: capability flags, then
    the encoder name. Lines before the `------` separator are the legend and are skipped.
    """
    lines = ffmpeg_encoders_output.splitlines()
    for position, line in enumerate(lines):
        if line.strip().startswith("---"):
            lines = lines[position + 1 :]
            break
    names: set[str] = set()
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0][:1] == "V":
            names.add(fields[1])
    return tuple(codec for codec in KNOWN_CODECS if codec in names)


async def detect_encoders(ffmpeg: str) -> tuple[str, ...]:
    """Run `ffmpeg -hide_banner -encoders` (10 s limit) and keep the known H.264 encoders.

    Raises FfmpegNotFoundError if ffmpeg cannot be run or does not answer in time.
    """
    output = await run_ffmpeg_probe([ffmpeg, "-hide_banner", "-encoders"])
    encoders = parse_encoders(output)
    log.info("ffmpeg_encoders found=%s", ",".join(encoders) or "none")
    return encoders

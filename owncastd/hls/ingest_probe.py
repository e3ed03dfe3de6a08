"""Which video forms the installed ffmpeg's FLV demuxer reads: probed once at start.

For each of :data:`~owncastd.core.codecs.CHECKED_FORMS` a two-tag FLV (a decoder
configuration in that form and one frame) is piped into ``ffmpeg -f flv -i pipe:0``; the form
is readable when ffmpeg names the video stream's codec. ffmpeg 5.1 (Debian 12) prints
``Video: none`` for every enhanced-RTMP FourCC and for the legacy ids 12/13; ffmpeg 6.1 and
later print ``Video: hevc``/``av1``/``vp9``.
"""

from __future__ import annotations

import logging
import re
import struct

import trio

from owncastd.core.codecs import CHECKED_FORMS, IngestFormats
from owncastd.core.media import FLV_HEADER, TagKind

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10.0
_STREAM = re.compile(rb"Stream #0:\d+[^:]*: Video: ([A-Za-z0-9_]+)")
_VERSION = re.compile(rb"ffmpeg version (\S+)")
# Just enough of each decoder configuration for the demuxer to name the codec.
_CONFIGS = {
    "avc1": b"\x01\x64\x00\x1f\xff\xe1\x00\x04\x67\x64\x00\x1f\x01\x00\x00",
    "hvc1": b"\x01\x01\x60\x00\x00\x00" + bytes(7) + b"\xf0\x00\xfc\xfd\xf8\xf8\x00\x00\x0f\x00",
    "av01": b"\x81\x00\x0c\x00",
    "vp09": b"\x01\x00\x00\x00\x00\x1f\x08\x10\x01\x01\x01\x00\x00\x00",
}
_CONFIGS["hev1"] = _CONFIGS["hvc1"]


def _tag(timestamp: int, body: bytes) -> bytes:
    header = struct.pack(">II3x", (int(TagKind.VIDEO) << 24) | len(body), timestamp << 8)
    return header + body + struct.pack(">I", len(body) + 11)


def probe_flv(form: str) -> bytes:
    """A small FLV whose video is in `form` (a FourCC, or `codec id N`)."""
    if form.startswith("codec id "):
        codec_id = int(form[9:])
        config = _CONFIGS[{7: "avc1", 13: "av01"}.get(codec_id, "hvc1")]
        first, frame = bytes([0x10 | codec_id, 0, 0, 0, 0]), bytes([0x10 | codec_id, 1, 0, 0, 0])
    else:
        config = _CONFIGS.get(form, b"")
        fourcc = form.encode("latin-1")
        first, frame = b"\x90" + fourcc, b"\x91" + fourcc + b"\x00\x00\x00"
    return FLV_HEADER + _tag(0, first + config) + _tag(0, frame + bytes(16))


def codec_named(stderr: bytes) -> str | None:
    """The video codec ffmpeg names for the input, or None ("none" or no video stream)."""
    found = _STREAM.search(stderr)
    if found is None or found.group(1) == b"none":
        return None
    return found.group(1).decode("ascii")


async def _probe_form(ffmpeg: str, form: str, readable: set[str]) -> None:
    argv = [ffmpeg, "-hide_banner", "-nostats", "-f", "flv", "-i", "pipe:0"]
    with trio.move_on_after(PROBE_TIMEOUT):
        result = await trio.run_process(
            argv, stdin=probe_flv(form), capture_stdout=True, capture_stderr=True, check=False
        )
        if codec_named(result.stderr) is not None:
            readable.add(form)


async def probe_ingest_formats(ffmpeg: str) -> IngestFormats:
    """Probe `ffmpeg` (a few short runs at once). If it cannot run, every checked form counts
    as unreadable (an ffmpeg that cannot run transcodes nothing anyway)."""
    readable: set[str] = set()
    version = ""
    try:
        result = await trio.run_process([ffmpeg, "-version"], capture_stdout=True, check=False)
        found = _VERSION.match(result.stdout)
        version = f"ffmpeg {found.group(1).decode(errors='replace')}" if found else ""
        async with trio.open_nursery() as nursery:
            for form in CHECKED_FORMS:
                nursery.start_soon(_probe_form, ffmpeg, form, readable)
    except OSError as exc:
        log.warning("ffmpeg ingest probe failed error=%s", exc.strerror or exc)
    unreadable = [form for form in CHECKED_FORMS if form not in readable]
    log.info(
        "ffmpeg ingest formats readable=%s unreadable=%s",
        ",".join(sorted(readable)) or "none",
        ",".join(unreadable) or "none",
    )
    return IngestFormats(readable, ffmpeg=version)

"""Which video forms the installed ffmpeg's FLV demuxer reads: probed once at start.

For each of :data:`~owncastd.core.codecs.CHECKED_FORMS` a two-tag FLV (a decoder
configuration in that form and one frame) is an input of one ``ffmpeg -f flv -i data:…`` run
(about 0.1 s); a form is readable when ffmpeg names its video stream's codec. ffmpeg 5.1
(Debian 12) prints ``Video: none`` for every enhanced-RTMP FourCC and for the legacy ids
12/13; ffmpeg 6.1 and later print ``Video: hevc``/``av1``/``vp9``.
"""

from __future__ import annotations

import base64
import logging
import re
import struct

import trio

from owncastd.core.codecs import CHECKED_FORMS, IngestFormats
from owncastd.core.media import FLV_HEADER, TagKind

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10.0
_STREAM = re.compile(rb"Stream #(\d+):\d+[^:]*: Video: ([A-Za-z0-9_]+)")
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


def codec_named(stderr: bytes, index: int = 0) -> str | None:
    """The video codec ffmpeg names for input `index`, or None ("none" or no video stream)."""
    for found in _STREAM.finditer(stderr):
        if int(found.group(1)) == index:
            return None if found.group(2) == b"none" else found.group(2).decode("ascii")
    return None


def probe_argv(ffmpeg: str, forms: tuple[str, ...]) -> list[str]:
    """One ffmpeg run reading a probe FLV per form (as `data:` URIs, no files); no output."""
    argv = [ffmpeg, "-nostdin", "-nostats"]
    for form in forms:
        encoded = base64.b64encode(probe_flv(form)).decode("ascii")
        argv += ["-f", "flv", "-i", f"data:application/octet-stream;base64,{encoded}"]
    return argv


async def probe_ingest_formats(ffmpeg: str) -> IngestFormats:
    """Probe `ffmpeg` (one short run). If it cannot run, every checked form counts as
    unreadable (an ffmpeg that cannot run transcodes nothing anyway)."""
    readable: list[str] = []
    version = ""
    try:
        with trio.move_on_after(PROBE_TIMEOUT):
            result = await trio.run_process(
                probe_argv(ffmpeg, CHECKED_FORMS), capture_stderr=True, check=False
            )
            found = _VERSION.search(result.stderr)
            version = f"ffmpeg {found.group(1).decode(errors='replace')}" if found else ""
            readable = [
                form
                for index, form in enumerate(CHECKED_FORMS)
                if codec_named(result.stderr, index) is not None
            ]
    except OSError as exc:
        log.warning("ffmpeg ingest probe failed error=%s", exc.strerror or exc)
    unreadable = [form for form in CHECKED_FORMS if form not in readable]
    log.info(
        "ffmpeg ingest: extra video forms readable=%s unreadable=%s (a publish in an unreadable"
        " form is refused; plain H.264 is not one of these and is always taken)",
        ",".join(readable) or "none",
        ",".join(unreadable) or "none",
    )
    return IngestFormats(readable, ffmpeg=version)

"""Enhanced-RTMP (E-RTMP v1) video tag bodies for tests, built from real encoder output.

Debian's ffmpeg 5.1 can encode HEVC (libx265) but its FLV muxer cannot write the enhanced
ExVideoTagHeader, so tests build the tags here: :func:`hevc_tag_bodies` encodes a few frames
with libx265, splits the Annex-B output into access units and wraps them as an `hvc1`
sequence start (an HEVCDecoderConfigurationRecord) plus coded frames.
"""

from __future__ import annotations

import struct
import subprocess

SEQUENCE_START, CODED_FRAMES, SEQUENCE_END, CODED_FRAMES_X = 0, 1, 2, 3
KEYFRAME, INTER_FRAME = 1, 2
VPS, SPS, PPS = 32, 33, 34
HVC1 = b"hvc1"
FOURCC_NUMBERS = {"hvc1": 1752589105.0, "av01": 1635135537.0, "vp09": 1987063865.0}


def ex_video_body(frame_type: int, packet_type: int, fourcc: bytes, payload: bytes) -> bytes:
    """One ExVideoTagHeader video body: 0x80|frame type|packet type, FourCC, payload."""
    return bytes([0x80 | (frame_type << 4) | packet_type]) + fourcc + payload


def nal_units(annexb: bytes) -> list[bytes]:
    """The NAL units of an Annex-B byte stream (start codes removed)."""
    units = []
    for chunk in annexb.split(b"\x00\x00\x01"):
        chunk = chunk.rstrip(b"\x00")
        if chunk:
            units.append(chunk)
    return units


def nal_type(unit: bytes) -> int:
    return (unit[0] >> 1) & 0x3F


def _unescape(unit: bytes) -> bytes:
    return unit.replace(b"\x00\x00\x03", b"\x00\x00")


def hvcc_record(vps: bytes, sps: bytes, pps: bytes) -> bytes:
    """An HEVCDecoderConfigurationRecord for one VPS/SPS/PPS (4-byte NAL lengths)."""
    raw = _unescape(sps)
    profile = raw[3:15]  # profile byte, 4 compatibility, 6 constraint, level
    head = bytes([1]) + profile + b"\xf0\x00\xfc\xfd\xf8\xf8\x00\x00\x0f"
    arrays = [bytes([3])]
    for kind, unit in ((VPS, vps), (SPS, sps), (PPS, pps)):
        arrays.append(struct.pack(">BHH", 0x80 | kind, 1, len(unit)) + unit)
    return head + b"".join(arrays)


def access_units(units: list[bytes]) -> list[tuple[bool, bytes]]:
    """(keyframe, length-prefixed NALs) per picture; parameter sets and SEI are left out."""
    pictures: list[tuple[bool, list[bytes]]] = []
    for unit in units:
        kind = nal_type(unit)
        if kind >= 32:
            continue
        first_slice = bool(unit[2] & 0x80)
        if first_slice or not pictures:
            pictures.append((16 <= kind <= 21, []))
        pictures[-1][1].append(unit)
    return [(key, b"".join(struct.pack(">I", len(u)) + u for u in nals)) for key, nals in pictures]


def encode_hevc(frames: int = 10) -> bytes:
    """`frames` 160x120 test-pattern pictures from libx265 as Annex-B (a keyframe every 5)."""
    argv = [
        "ffmpeg", "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-frames:v", str(frames),
        "-c:v", "libx265", "-pix_fmt", "yuv420p",
        "-x265-params", "keyint=5:min-keyint=5:bframes=0:log-level=error",
        "-f", "hevc", "pipe:1",
    ]  # fmt: skip
    return subprocess.run(argv, capture_output=True, check=True, timeout=60).stdout


def hevc_tag_bodies(annexb: bytes) -> list[bytes]:
    """The enhanced-RTMP video bodies of an HEVC stream: sequence start, then each picture."""
    units = nal_units(annexb)
    first = {nal_type(u): u for u in reversed(units) if nal_type(u) in (VPS, SPS, PPS)}
    record = hvcc_record(first[VPS], first[SPS], first[PPS])
    bodies = [ex_video_body(KEYFRAME, SEQUENCE_START, HVC1, record)]
    for key, data in access_units(units):
        frame_type = KEYFRAME if key else INTER_FRAME
        bodies.append(ex_video_body(frame_type, CODED_FRAMES, HVC1, b"\x00\x00\x00" + data))
    return bodies

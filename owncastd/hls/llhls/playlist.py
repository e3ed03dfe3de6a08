"""LL-HLS playlists (RFC 8216bis) from a Window, sans-IO: the media playlist with parts,
preload hint and server control, and the master playlist over the variants.

Parts are listed for the open segment and the last `PART_SEGMENTS` complete ones (the spec
lets servers drop parts older than three target durations); the preload hint names the part
that comes next. URIs are relative to the media playlist: `init.mp4` (`init-N.mp4` after an
ffmpeg restart), `{msn}.{part}.m4s` and `{msn}.m4s`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from owncastd.hls.llhls.window import Segment, Window

PART_SEGMENTS = 3
PART_HOLD_BACK_FACTOR = 3  # RFC 8216bis: PART-HOLD-BACK at least 2×, SHOULD be 3× PART-TARGET


def init_name(init_id: int) -> str:
    """The URI of an init segment."""
    return "init.mp4" if init_id == 0 else f"init-{init_id}.mp4"


def _program_time(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def media_playlist(window: Window) -> bytes:
    """The LL-HLS media playlist of `window` now."""
    part_target = window.part_target
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:9",
        f"#EXT-X-TARGETDURATION:{window.target_duration}",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
        f"PART-HOLD-BACK={PART_HOLD_BACK_FACTOR * part_target:.3f}",
        f"#EXT-X-PART-INF:PART-TARGET={part_target:.3f}",
        f"#EXT-X-MEDIA-SEQUENCE:{window.segments[0].msn if window.segments else 0}",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    first_parted = window.last_complete_msn - PART_SEGMENTS + 1
    map_id = -1
    for segment in window.segments:
        if segment.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        if segment.init_id != map_id:
            map_id = segment.init_id
            lines.append(f'#EXT-X-MAP:URI="{init_name(map_id)}"')
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_program_time(segment.program_time)}")
        if segment.msn >= first_parted or not segment.complete:
            lines.extend(_part_lines(segment))
        if segment.complete:
            lines += [f"#EXTINF:{segment.duration:.5f},", f"{segment.msn}.m4s"]
    if window.ended:
        lines.append("#EXT-X-ENDLIST")
    elif window.segments:
        msn, index = window.next_part()
        lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="{msn}.{index}.m4s"')
    return ("\n".join(lines) + "\n").encode()


def _part_lines(segment: Segment) -> list[str]:
    return [
        f'#EXT-X-PART:DURATION={part.duration:.5f},URI="{segment.msn}.{index}.m4s"'
        + (",INDEPENDENT=YES" if part.independent else "")
        for index, part in enumerate(segment.parts)
    ]


@dataclass(frozen=True)
class VariantEntry:
    """One master-playlist line's facts."""

    bandwidth: int  # bits per second
    codecs: str
    width: int
    height: int


def master_playlist(variants: list[VariantEntry]) -> bytes:
    """The master playlist: each variant's media playlist at `{index}/stream.m3u8`."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:9", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for index, entry in enumerate(variants):
        attributes = [f"BANDWIDTH={entry.bandwidth}"]
        if entry.codecs:
            attributes.append(f'CODECS="{entry.codecs}"')
        if entry.width and entry.height:
            attributes.append(f"RESOLUTION={entry.width}x{entry.height}")
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), f"{index}/stream.m3u8"]
    return ("\n".join(lines) + "\n").encode()

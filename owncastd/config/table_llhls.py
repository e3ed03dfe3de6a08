"""Settings table: low-latency HLS (issue 13). File and env only (Owncast has no setter)."""

from __future__ import annotations

from owncastd.config.setting import NEXT, Setting, entry

LLHLS: tuple[Setting, ...] = (
    entry(
        "video.low_latency",
        "Also serve LL-HLS (partial segments, blocking reloads) at /hls/ll/stream.m3u8",
        applies=NEXT,
    ),
)

"""LL-HLS routes on the lean viewer path (issue 13), served from the packager's memory.

`/hls/ll/stream.m3u8` (master), `/hls/ll/<v>/stream.m3u8[?_HLS_msn=M[&_HLS_part=P]]`
(blocking playlist reload, RFC 8216bis §6.2.5.2), `/hls/ll/<v>/init.mp4` (`init-N.mp4` after
an ffmpeg restart), `/hls/ll/<v>/<msn>.<part>.m4s` (parts; the preload-hinted one is held
until it exists) and `/hls/ll/<v>/<msn>.m4s` (segments).

A blocking request parks on its variant's one trio event (set once per window change), so
a thousand parked reloads cost their connections' tasks and no per-update work but a check.
Limits as the spec asks: M more than two segments past the last complete one, or P more than
three parts past the last one, is 400 at once; a request not satisfied within three target
durations is 503 (the spec's advice, which hls.js retries); the preload-hinted part that turns
out not to come (a new segment began instead) is 404 once that is known.
Playlists are not cacheable, parts, segments and init segments are (they never change under
their name), CORS as the classic /hls routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import trio

from owncastd.http.public.shared import NO_CACHE, SEGMENT_CACHE_CONTROL
from owncastd.http.transport.fast_http import Request, header_block

if TYPE_CHECKING:
    from owncastd.hls.llhls.live import LiveVariant, LowLatencyOutput
    from owncastd.hls.llhls.window import Window

Reply = tuple[int, bytes, bytes]

MASTER_WAIT_SECONDS = 5.0  # the first init segments, right after going live
ADVANCE_PART_LIMIT = 3
_CORS = ("access-control-allow-origin", "*")
_MEDIA = re.compile(
    r"^(\d{1,4})/(?:(stream\.m3u8)|init(?:-(\d{1,9}))?\.mp4|(\d{1,12})(?:\.(\d{1,6}))?\.m4s)$"
)


_BLOCKS: dict[tuple[str, str], bytes] = {}  # header blocks, built once each


def _answer(status: int, kind: str, cache: str, body: bytes) -> Reply:
    block = _BLOCKS.get((kind, cache))
    if block is None:
        headers = [("content-type", kind), ("cache-control", cache), _CORS]
        block = _BLOCKS[(kind, cache)] = header_block(headers)
    return (status, block, body)


def _error(status: int, message: str) -> Reply:
    return _answer(status, "text/plain; charset=utf-8", NO_CACHE, message.encode() + b"\n")


NOT_FOUND = _error(404, "not found")
PLAYLIST = "application/vnd.apple.mpegurl"
MP4 = "video/mp4"


def _blocking_query(target: str) -> tuple[int | None, int | None] | None:
    """(_HLS_msn, _HLS_part) of the query, None when malformed (400)."""
    query = target.partition("?")[2]
    if not query:
        return None, None
    fields: dict[str, str] = {}
    for pair in query.split("&"):  # plain digits only: no need for parse_qs's unquoting
        name, _, value = pair.partition("=")
        fields.setdefault(name, value)
    try:
        msn = int(fields["_HLS_msn"]) if "_HLS_msn" in fields else None
        part = int(fields["_HLS_part"]) if "_HLS_part" in fields else None
    except ValueError:
        return None
    if (part is not None and msn is None) or (msn or 0) < 0 or (part or 0) < 0:
        return None
    return msn, part


class LowLatencyRoutes:
    """Answers `/hls/ll/…` from the LL-HLS output (404 while there is none)."""

    def __init__(
        self, output: LowLatencyOutput | None, count_viewer: Callable[[Request, str], None]
    ) -> None:
        self._output = output
        self._count_viewer = count_viewer

    async def reply(self, request: Request, relative: str, peer: str) -> Reply:
        """The answer to `/hls/ll/<relative>` (from `peer`)."""
        output = self._output
        if output is None:
            return NOT_FOUND
        if relative == "stream.m3u8":
            master = None
            with trio.move_on_after(MASTER_WAIT_SECONDS):
                master = await output.master()
            return NOT_FOUND if master is None else _answer(200, PLAYLIST, NO_CACHE, master)
        match = _MEDIA.match(relative)
        variant = output.variant(int(match.group(1))) if match else None
        if match is None or variant is None:
            return NOT_FOUND
        if match.group(2):
            self._count_viewer(request, peer)
            return await self._playlist(variant, request.target)
        if match.group(4) is None:
            data = variant.window.inits.get(int(match.group(3) or 0))
            return NOT_FOUND if data is None else _answer(200, MP4, SEGMENT_CACHE_CONTROL, data)
        msn = int(match.group(4))
        if match.group(5) is None:
            segment = variant.window.segment(msn)
            data = segment.data if segment is not None else None
            return NOT_FOUND if data is None else _answer(200, MP4, SEGMENT_CACHE_CONTROL, data)
        return await self._part(variant, msn, int(match.group(5)))

    async def _playlist(self, variant: LiveVariant, target: str) -> Reply:
        query = _blocking_query(target)
        if query is None:
            return _error(400, "bad _HLS_msn or _HLS_part")
        msn, part = query
        window = variant.window
        if msn is not None:
            if _too_far_ahead(window, msn, part):
                return _error(400, "_HLS_msn/_HLS_part too far ahead of the live edge")
            with trio.move_on_after(_hold_seconds(window)):
                await variant.wait_until(lambda w: w.has(msn, part))
            if not window.has(msn, part):
                return _error(503, "the requested part did not arrive in time")
        return _answer(200, PLAYLIST, NO_CACHE, variant.playlist)

    async def _part(self, variant: LiveVariant, msn: int, index: int) -> Reply:
        """A part; the next one (the preload hint) is held until it exists or never will."""
        window = variant.window

        def settled(w: Window) -> bool:
            return w.part(msn, index) is not None or w.has(msn, None)

        if window.part(msn, index) is None and _is_upcoming(window, msn, index):
            with trio.move_on_after(_hold_seconds(window)):
                await variant.wait_until(settled)
        part = window.part(msn, index)
        if part is None:
            return NOT_FOUND
        return _answer(200, MP4, SEGMENT_CACHE_CONTROL, part.data)


def _hold_seconds(window: Window) -> float:
    """How long a blocking request is held: three target durations (RFC 8216bis)."""
    return 3.0 * window.target_duration


def _too_far_ahead(window: Window, msn: int, part: int | None) -> bool:
    if window.ended:
        return False
    if msn > window.last_complete_msn + 2:
        return True
    current = window.open_segment
    if part is None or current is None or msn != current.msn:
        return False
    return part > len(current.parts) - 1 + ADVANCE_PART_LIMIT


def _is_upcoming(window: Window, msn: int, index: int) -> bool:
    """Whether (msn, index) is the part the playlist hints at, or the other one that may
    come next (the open segment's next part, or the first of a new segment)."""
    if window.ended:
        return False
    candidates = {window.next_part()}
    current = window.open_segment
    if current is not None:
        candidates |= {(current.msn, len(current.parts)), (current.msn + 1, 0)}
    return (msn, index) in candidates

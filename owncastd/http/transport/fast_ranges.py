"""Conditional and partial answers for HLS segments on the lean path: `If-None-Match` (304)
and a single `Range` (206, or 416 when it lies past the end). A multi-range or otherwise
unusable `Range` header is ignored, as RFC 9110 allows: the whole segment is sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from owncastd.http.transport.fast_files import CachedFile
from owncastd.http.transport.fast_http import header_block

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

Reply = tuple[int, bytes, bytes | CachedFile]  # a CachedFile body: all of that file


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) of a `Range: bytes=…` header; None to send everything; False when the
    range is not satisfiable."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0:
            return False
        return (max(0, size - suffix), size - 1)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return False
    return (first, min(last, size - 1))


def segment_reply(
    item: CachedFile, headers: Mapping[str, str], build: Callable[[CachedFile], bytes]
) -> Reply:
    """The 200 (the whole file: its CachedFile), 206, 304 or 416 answer for a segment."""
    head = item.head("segment", build)
    match = headers.get("if-none-match")
    if match is not None and (match.strip() == "*" or item.etag in match):
        return (304, head, b"")
    wanted = headers.get("range")
    if wanted is None:
        return (200, head, item)
    size = len(item.data)
    chosen = byte_range(wanted, size)
    if chosen is None:
        return (200, head, item)
    if chosen is False:
        return (416, head + header_block([("content-range", f"bytes */{size}")]), b"")
    assert not isinstance(chosen, bool)
    first, last = chosen
    extra = header_block([("content-range", f"bytes {first}-{last}/{size}")])
    return (206, head + extra, item.data[first : last + 1])

"""What raster image a file really is, from its first bytes (magic numbers).

Uploads declare a type (`data:image/png;base64,…`); the bytes must agree, or a browser that
sniffs them may treat the file as something else. Served images get headers that stop sniffing
and running anything (:data:`IMAGE_HEADERS`).
"""

from __future__ import annotations

from quart import Response

from owncastd.http.public.shared import IMAGE_CSP as IMAGE_CSP
from owncastd.http.public.shared import IMAGE_HEADERS as IMAGE_HEADERS
from owncastd.http.responses import body

# The raster types uploads may have, and the extension each is saved with.
RASTER_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def image_response(data: bytes, content_type: str, cache_control: str) -> Response:
    """An uploaded image's response, with IMAGE_HEADERS."""
    response = body(data, content_type, cache_control=cache_control)
    response.headers.update(IMAGE_HEADERS)
    return response


def is_icon(data: bytes) -> bool:
    """True when `data` starts like a Windows icon (ICO: reserved 0, type 1)."""
    return data.startswith(b"\x00\x00\x01\x00")


def sniff_raster(data: bytes) -> str | None:
    """The raster type of `data` (a key of RASTER_EXTENSIONS), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None

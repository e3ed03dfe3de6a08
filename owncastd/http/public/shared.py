"""What the quart app and the lean path (`http/transport/fast_path.py`) both use for the
viewers' requests, kept free of quart so the lean path serves without it (issue 17: the app is
imported after `ready`): cache headers, the logo's file, the image headers and `/api/status`.
The app's modules re-export these names where they used to live.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from owncastd import OWNCAST_API_VERSION
from owncastd.core.chat.models import rfc3339 as timestamp_text
from owncastd.http.context import WebContext, WebPaths
from owncastd.http.schedule.fields import status_fields

NO_CACHE = "no-cache, no-store, must-revalidate"
SEGMENT_CACHE_BYTES = 96 * 1024 * 1024
SEGMENT_CACHE_CONTROL = "public, max-age=31557600"
THUMBNAIL_CACHE_CONTROL = "public, max-age=20"
LOGO_CACHE_CONTROL = "public, max-age=300"
STATIC_CACHE_BYTES = 16 * 1024 * 1024
STATIC_CACHE_CONTROL = "public, max-age=300"

# An uploaded image never needs to run or load anything: no script, no plugins, no fetches, no
# same-origin access even when opened directly (sandbox); inline styles for SVG presentation.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
IMAGE_HEADERS = {"Content-Security-Policy": IMAGE_CSP, "X-Content-Type-Options": "nosniff"}


def rfc3339(value: datetime | None) -> str | None:
    """A UTC timestamp as Owncast's clients expect (`2026-01-01T12:00:00.123Z`), or None."""
    return None if value is None else timestamp_text(value)


def pick_logo(paths: WebPaths, configured: str, *, raster_only: bool = False) -> Path | None:
    """The logo file to serve: the configured one, the bundled one when it is missing (or
    None when that is missing too). Shared by the general app and the lean path."""
    logo = paths.logo(configured)
    if not logo.is_file():
        logo = paths.logo("")
    if raster_only and logo.suffix.lower() == ".svg":
        # Social networks refuse SVG previews: offer the bundled PNG instead.
        logo = paths.static_dir / "img" / "logo.png"
    return logo if logo.is_file() else None


async def status_payload(ctx: WebContext) -> dict[str, object]:
    """`/api/status` (both the app and the lean path answer with this): the stream's state plus
    the scheduled event while there is one (develop §5.2)."""
    return stream_status(ctx) | await status_fields(ctx)


def stream_status(ctx: WebContext) -> dict[str, object]:
    """The stream part of `/api/status`: `viewerCount` is `omitempty` in Owncast, so it is left
    out when 0 as well as when the admin hides it (develop §0); `streamTitle` is always there."""
    settings = ctx.settings.current
    stats = ctx.stream.stats
    online = ctx.stream.online
    payload: dict[str, object] = {
        "online": online,
        "viewerCount": ctx.viewers.count if online else 0,
        "lastConnectTime": rfc3339(stats.last_connect_time),
        "lastDisconnectTime": rfc3339(stats.last_disconnect_time),
        "versionNumber": OWNCAST_API_VERSION,
        "owncastdVersion": ctx.version,
        "streamTitle": settings.server.stream_title,
        "serverTime": rfc3339(ctx.clock()),
    }
    if settings.server.hide_viewer_count or not payload["viewerCount"]:
        del payload["viewerCount"]
    return payload

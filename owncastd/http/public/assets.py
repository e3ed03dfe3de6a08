"""Video and asset routes (reference §1.3): `/hls/*`, thumbnails, logo, robots, public files."""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.http.client_address import request_ip
from owncastd.http.context import WebContext
from owncastd.http.image_sniff import IMAGE_HEADERS, image_response
from owncastd.http.public.files import ByteCache, content_type, read_file, safe_join
from owncastd.http.public.shared import (
    LOGO_CACHE_CONTROL,
    SEGMENT_CACHE_BYTES,
    SEGMENT_CACHE_CONTROL,
    THUMBNAIL_CACHE_CONTROL,
    pick_logo,
)
from owncastd.http.responses import NO_CACHE, body, error

# Owncast's exact bodies (robots.go, develop §7.2): lines joined by "\n", no trailing newline.
ROBOTS_INDEXED = "User-agent: *\nDisallow: /admin\nDisallow: /api"
ROBOTS_NOT_INDEXED = ROBOTS_INDEXED + "\nDisallow: /"


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def logo_response(ctx: WebContext, *, raster_only: bool = False) -> Response:
    """The configured logo (the bundled one when it is missing), sandboxed."""
    logo = pick_logo(ctx.paths, ctx.settings.current.server.logo, raster_only=raster_only)
    data = await read_file(logo) if logo is not None else None
    if logo is None or data is None:
        return error(404, "no logo")
    return image_response(data, content_type(logo), LOGO_CACHE_CONTROL)


def create_media_routes(ctx: WebContext) -> Blueprint:
    """The blueprint; handlers close over `ctx`."""
    media = Blueprint("media", __name__)
    segments = ByteCache(SEGMENT_CACHE_BYTES)
    paths = ctx.paths

    @media.get("/hls/<path:relative>")
    async def hls(relative: str) -> Response:
        path = safe_join(paths.hls_dir, relative)
        if path is None or path.suffix not in (".m3u8", ".ts"):
            return error(404, "not found")
        if path.suffix == ".m3u8":
            data = await read_file(path)
            if data is None:
                return _cors(error(404, "not found"))
            ctx.viewers.seen(request_ip(ctx.settings), request.headers.get("User-Agent", ""))
            return _cors(body(data, content_type(path), cache_control=NO_CACHE))
        data = await segments.get(path)
        if data is None:
            return _cors(error(404, "not found"))
        return _cors(body(data, content_type(path), cache_control=SEGMENT_CACHE_CONTROL))

    @media.get("/logo")
    async def logo() -> Response:
        return await logo_response(ctx)

    @media.get("/logo/external")
    async def logo_external() -> Response:
        return await logo_response(ctx, raster_only=True)

    @media.get("/thumbnail.jpg")
    async def thumbnail() -> Response:
        if ctx.snapshots is not None:
            ctx.snapshots.want_thumbnail()
        if ctx.stream.is_live:
            data = await read_file(paths.thumbnails_dir / "thumbnail.jpg")
            if data is not None:
                return body(data, "image/jpeg", cache_control=THUMBNAIL_CACHE_CONTROL)
        response = await logo_response(ctx)
        response.headers["Cache-Control"] = THUMBNAIL_CACHE_CONTROL
        return response

    @media.get("/preview.gif")
    async def preview() -> Response:
        if ctx.snapshots is not None:
            ctx.snapshots.want_preview()
        data = await read_file(paths.thumbnails_dir / "preview.gif") if ctx.stream.is_live else None
        if data is None:
            return error(404, "no preview while offline")
        return body(data, "image/gif", cache_control=THUMBNAIL_CACHE_CONTROL)

    _add_page_asset_routes(media, ctx)
    return media


def _add_page_asset_routes(media: Blueprint, ctx: WebContext) -> None:
    """robots.txt, the custom JavaScript and /public files."""
    paths = ctx.paths

    @media.get("/robots.txt")
    async def robots() -> Response:
        hidden = ctx.settings.current.server.disable_search_indexing
        text = ROBOTS_NOT_INDEXED if hidden else ROBOTS_INDEXED
        return body(text.encode(), "text/plain")

    @media.get("/customjavascript")
    async def custom_javascript() -> Response:
        script = ctx.settings.current.server.custom_javascript
        return body(script.encode(), "text/javascript; charset=utf-8", cache_control=NO_CACHE)

    @media.get("/public/<path:relative>")
    async def public(relative: str) -> Response:
        path = safe_join(paths.public_dir, relative)
        data = await read_file(path) if path is not None else None
        if path is None or data is None:
            return error(404, "not found")
        response = body(data, content_type(path))
        if (response.mimetype or "").startswith("image/"):
            response.headers.update(IMAGE_HEADERS)
        return response

"""The viewer web page, the video embed and their static assets."""

from __future__ import annotations

from quart import Blueprint, Response, redirect

from owncastd.http.context import WebContext
from owncastd.http.public.files import ByteCache, content_type, safe_join
from owncastd.http.public.shared import STATIC_CACHE_BYTES, STATIC_CACHE_CONTROL
from owncastd.http.responses import body, error


def create_pages(ctx: WebContext) -> Blueprint:
    """The blueprint; bundled files are read once and served from memory."""
    pages = Blueprint("pages", __name__)
    static_dir = ctx.paths.static_dir
    files = ByteCache(STATIC_CACHE_BYTES)

    async def page(name: str) -> Response:
        data = await files.get(static_dir / name)
        if data is None:
            return error(500, f"{name} is missing from the installation")
        return body(data, "text/html; charset=utf-8", cache_control="no-cache")

    @pages.get("/")
    async def index() -> Response:
        return await page("index.html")

    @pages.get("/embed/video")
    async def embed_video() -> Response:
        return await page("embed-video.html")

    @pages.get("/embed/chat")
    @pages.get("/embed/chat/")
    async def embed_chat() -> Response:
        return redirect("/embed/chat/readonly", 307)  # type: ignore[return-value]

    @pages.get("/embed/chat/readwrite")
    async def embed_chat_readwrite() -> Response:
        return await page("embed-chat-readwrite.html")

    @pages.get("/embed/chat/readonly")
    async def embed_chat_readonly() -> Response:
        return await page("embed-chat-readonly.html")

    @pages.get("/serviceWorker.js")
    async def service_worker() -> Response:
        # At the root so that its scope covers the whole site (Owncast's path).
        data = await files.get(static_dir / "serviceWorker.js")
        if data is None:
            return error(500, "serviceWorker.js is missing from the installation")
        return body(data, "text/javascript; charset=utf-8", cache_control="no-cache")

    @pages.get("/img/platformlogos/<name>")
    async def platform_logo(name: str) -> Response:
        # A platform without its own icon gets the generic link icon (never a broken image).
        path = safe_join(static_dir / "img" / "platformlogos", name)
        data = await files.get(path) if path is not None else None
        if path is None or data is None:
            path = static_dir / "img" / "link.svg"
            data = await files.get(path)
        if data is None:
            return error(404, "not found")
        return body(data, content_type(path), cache_control="public, max-age=86400")

    @pages.get("/static/<path:relative>")
    async def static(relative: str) -> Response:
        path = safe_join(static_dir, relative)
        data = await files.get(path) if path is not None else None
        if path is None or data is None:
            return error(404, "not found")
        return body(data, content_type(path), cache_control=STATIC_CACHE_CONTROL)

    return pages

"""`/admin…`: Owncast's admin URLs (develop §6.1), each page behind the admin's Basic auth.

- `GET /admin` answers 301 `Location: admin/` without auth (Owncast's file server does that
  before its auth middleware sees the request); the Basic prompt comes on the next request.
- Everything under `/admin/` goes through :meth:`AdminGuard.require` (401 with Owncast's realm,
  OPTIONS 204) first, then: a page URL with its trailing slash is 200 with the page; without
  the slash a relative 301 to `<last segment>/` (query kept); `…/index.html` a 301 to `./`;
  anything else 404 `404 page not found`.
- Pages carry a strict CSP (scripts only from this origin, no inline code, no framing) and are
  never cached: they are the admin's. Their scripts and styles are `/admin/assets/…`, behind the
  same auth (Owncast serves its admin chunks publicly under `/_next/`; the issue asks that every
  admin page and asset need the admin's credentials). The viewer's own modules that the chat
  page reuses stay public under `/static/`.
"""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, request

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin_web.page_map import BY_PATH
from owncastd.http.admin_web.template import render
from owncastd.http.public.files import ByteCache, content_type, safe_join

ASSETS_DIR = Path(__file__).parent / "assets"
ASSET_PREFIX = "assets/"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _text(status: int, text: str) -> Response:
    response = Response(text, status=status, content_type="text/plain; charset=utf-8")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _redirect(location: str) -> Response:
    """A relative 301 as Go's `localRedirect` sends it (the query string kept)."""
    query = request.query_string.decode("latin-1")
    response = Response("", status=301)
    response.headers["Location"] = f"{location}?{query}" if query else location
    return response


def answer(rest: str) -> Response:
    """The reply for `/admin/<rest>` once the admin is authenticated."""
    if rest == "index.html" or rest.endswith("/index.html"):
        return _redirect("./")
    page = BY_PATH.get(rest)
    if page is not None:
        response = Response(render(page), status=200, content_type="text/html; charset=utf-8")
        response.headers.update(PAGE_HEADERS)
        return response
    if not rest.endswith("/") and f"{rest}/" in BY_PATH:
        return _redirect(rest.rsplit("/", 1)[-1] + "/")
    return _text(404, "404 page not found\n")


async def asset(files: ByteCache, name: str) -> Response:
    """A script or style of the admin pages (the caller has checked the admin's credentials)."""
    path = safe_join(ASSETS_DIR, name)
    data = await files.get(path) if path is not None else None
    if path is None or data is None:
        return _text(404, "404 page not found\n")
    response = Response(data, status=200, content_type=content_type(path))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def create_admin_web(guard: AdminGuard) -> Blueprint:
    """The blueprint of the web admin's pages."""
    web = Blueprint("admin_web", __name__)
    files = ByteCache(4 * 1024 * 1024)

    @web.route("/admin", methods=["GET", "HEAD"])
    async def admin_root() -> Response:
        return _redirect("admin/")

    @web.route("/admin/", methods=["GET", "HEAD", "OPTIONS"])
    @web.route("/admin/<path:rest>", methods=["GET", "HEAD", "OPTIONS"])
    @guard.require
    async def admin_page(rest: str = "") -> Response:
        if rest.startswith(ASSET_PREFIX):
            return await asset(files, rest.removeprefix(ASSET_PREFIX))
        return answer(rest)

    return web

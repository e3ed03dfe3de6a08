"""The favicon (develop §5.1): the admin uploads a PNG or ICO, `/favicon.ico` serves it.

`POST /api/admin/config/favicon {"value": "data:image/png;base64,…"}` (body at most 300 KiB,
image at most 200 KB, PNG or ICO by its declared type *and* its bytes) writes
`DATA_DIR/favicon.png` or `.ico`; `DELETE` removes it. The file present is the setting (Owncast's
`favicon_path`): no config key. `GET /favicon.ico` serves it, or the bundled PNG, with Owncast's
cache lifetimes (a week for PNG, two hours for ICO).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
from pathlib import Path
from typing import Any

import trio
from quart import Blueprint, Response, request

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.logo_upload import DATA_URI, write_public_file
from owncastd.http.context import WebContext
from owncastd.http.image_sniff import image_response, is_icon, sniff_raster
from owncastd.http.json_body import BadRequestError, json_object
from owncastd.http.responses import error, success

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 300 * 1024
MAX_FAVICON_BYTES = 200 * 1024
FAVICON_NAMES = ("favicon.png", "favicon.ico")
EXTENSIONS = {
    "image/png": ".png",
    "image/x-icon": ".ico",
    "image/vnd.microsoft.icon": ".ico",
    "image/ico": ".ico",
}
MAX_AGE = {".png": 604800, ".ico": 7200}
WRONG_FORMAT = "favicon must be PNG or ICO format"


def decode_favicon(value: Any) -> tuple[bytes, str]:
    """`(bytes, ".png"|".ico")` of the setter's value, or BadRequestError with Owncast's text."""
    if not isinstance(value, str):
        raise BadRequestError("unable to find image data")
    match = DATA_URI.match(value)
    if match is None:
        raise BadRequestError("unable to find image data")
    extension = EXTENSIONS.get(match["type"].lower())
    if extension is None:
        raise BadRequestError(WRONG_FORMAT)
    try:
        data = base64.b64decode(value[match.end() :], validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError("unable to decode image data") from None
    if len(data) > MAX_FAVICON_BYTES:
        raise BadRequestError("file too large, max 200KB")
    sniffed_ok = is_icon(data) if extension == ".ico" else sniff_raster(data) == "image/png"
    if not sniffed_ok:  # the bytes must be what the URI says (browsers sniff)
        raise BadRequestError(WRONG_FORMAT)
    return data, extension


def custom_favicon(data_dir: Path) -> Path | None:
    """The uploaded favicon, if there is one."""
    for name in FAVICON_NAMES:
        path = data_dir / name
        if path.is_file():
            return path
    return None


def write_favicon(data_dir: Path, data: bytes, extension: str) -> None:
    """Replace the favicon atomically (a favicon of the other type is removed)."""
    write_public_file(data_dir, f"favicon{extension}", data)
    remove_favicon(data_dir, keep=f"favicon{extension}")


def remove_favicon(data_dir: Path, keep: str = "") -> None:
    """Delete the uploaded favicon files (other than `keep`)."""
    for name in FAVICON_NAMES:
        if name != keep:
            with contextlib.suppress(FileNotFoundError):
                (data_dir / name).unlink()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def create_favicon_routes(ctx: WebContext, guard: AdminGuard) -> Blueprint:
    """`GET /favicon.ico` and the admin's `POST`/`DELETE /api/admin/config/favicon`."""
    routes = Blueprint("favicon", __name__)
    data_dir = ctx.paths.data_dir
    default = ctx.paths.static_dir / "img" / "logo.png"

    @routes.get("/favicon.ico")
    async def favicon() -> Response:
        path = await trio.to_thread.run_sync(custom_favicon, data_dir)
        data = None if path is None else await trio.to_thread.run_sync(_read, path)
        if path is None or data is None:
            path, data = default, await trio.to_thread.run_sync(_read, default)
            if data is None:
                return error(404, "not found")
        kind = "image/png" if path.suffix == ".png" else "image/x-icon"
        cache = f"public, max-age={MAX_AGE.get(path.suffix, MAX_AGE['.ico'])}"
        return image_response(data, kind, cache)

    @routes.route("/api/admin/config/favicon", methods=["POST", "DELETE", "OPTIONS"])
    @guard.require
    async def set_favicon() -> Response:
        if request.method == "DELETE":
            await trio.to_thread.run_sync(remove_favicon, data_dir)
            log.info("admin reset the favicon")
            return success("favicon reset to default")
        body = await json_object(MAX_BODY_BYTES)
        data, extension = decode_favicon(body.get("value"))
        await trio.to_thread.run_sync(write_favicon, data_dir, data, extension)
        log.info("admin changed the favicon type=%s bytes=%d", extension, len(data))
        return success("favicon updated")

    return routes

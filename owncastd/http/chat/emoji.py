"""Custom emoji (reference §1.3, §1.4, §1.6): the list, the files at `/img/emoji/*`, and admin
upload (data URI) and delete."""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path

import trio
from quart import Blueprint, Response

from owncastd.core.chat.emoji_catalog import EMOJI_EXTENSIONS, EMOJI_URL, scan_emoji
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.chat.common import field, json_object
from owncastd.http.chat.context import ChatServices
from owncastd.http.image_sniff import RASTER_EXTENSIONS, image_response, sniff_raster
from owncastd.http.json_body import BadRequestError
from owncastd.http.public.files import content_type, read_file, safe_join
from owncastd.http.responses import error, json_no_cache, success

MAX_EMOJI_BYTES = 2 * 1024 * 1024
EXTENSIONS = EMOJI_EXTENSIONS
_DATA_URI = re.compile(r"^data:(?P<type>[\w/+.-]+)(?:;[\w=.-]+)*;base64,(?P<data>.*)$", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def list_emoji(root: Path) -> list[dict[str, str]]:
    """`[{name, url}]` for every image under `root` (sub-directories are emoji packs)."""
    return [{"name": emoji.name, "url": emoji.url} for emoji in scan_emoji(root)]


def decode_data_uri(data: str) -> tuple[bytes, str]:
    """The image bytes and their file extension; BadRequestError if not a supported image or
    the bytes (their magic number) are not of the declared type."""
    match = _DATA_URI.match(data.strip())
    if match is None:
        raise BadRequestError("data must be a base64 data URI")
    mime = match["type"].lower()
    extension = RASTER_EXTENSIONS.get(mime)
    if extension is None:
        raise BadRequestError(f"unsupported image type {match['type'][:40]}")
    try:
        raw = base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError("data is not valid base64") from None
    if not raw or len(raw) > MAX_EMOJI_BYTES:
        raise BadRequestError(f"an emoji must be 1 byte to {MAX_EMOJI_BYTES // 1024} KB")
    found = sniff_raster(raw)
    if found != mime:
        raise BadRequestError(
            f"data is declared {mime} but its bytes are {found or 'not a PNG, GIF, JPEG or WebP'}"
        )
    return raw, extension


def create_emoji_routes(chat: ChatServices, guard: AdminGuard) -> Blueprint:
    """The blueprint."""
    routes = Blueprint("emoji", __name__)
    root = chat.emoji_dir

    @routes.get("/api/emoji")
    async def emoji_list() -> Response:
        return json_no_cache(await trio.to_thread.run_sync(list_emoji, root))

    @routes.get(f"{EMOJI_URL}/<path:relative>")
    async def emoji_file(relative: str) -> Response:
        path = safe_join(root, relative)
        if path is None or path.suffix.lower() not in EXTENSIONS:
            return error(404, "emoji not found")
        data = await read_file(path)
        if data is None:
            return error(404, "emoji not found")
        return image_response(data, content_type(path), "public, max-age=3600")

    @routes.route("/api/admin/emoji/upload", methods=["POST", "OPTIONS"])
    @guard.require
    async def upload() -> Response:
        data = await json_object(max_bytes=MAX_EMOJI_BYTES * 2)
        name = Path(field(data, "name", str)).name
        raw, extension = decode_data_uri(field(data, "data", str))
        stem = Path(name).stem if Path(name).suffix.lower() in EXTENSIONS else name
        filename = f"{stem}{extension}"
        if not _NAME.match(filename):
            return error(400, "name may use letters, digits, '.', '_' and '-' only")
        path = root / filename
        if await trio.to_thread.run_sync(_exists_with_stem, root, stem):
            return error(400, f"an emoji named {stem} already exists")
        await trio.to_thread.run_sync(_write_new, path, raw)
        return success(f"{filename} uploaded")

    @routes.route("/api/admin/emoji/delete", methods=["POST", "OPTIONS"])
    @guard.require
    async def delete() -> Response:
        name = field(await json_object(), "name", str)
        relative = name.removeprefix(f"{EMOJI_URL}/")
        path = safe_join(root, relative)
        if path is None or path.suffix.lower() not in EXTENSIONS:
            return error(400, f"{name!r} is not an emoji file name")
        try:
            await trio.to_thread.run_sync(path.unlink)
        except FileNotFoundError:
            return error(400, f"emoji {name} not found")
        return success(f"{relative} deleted")

    return routes


def _exists_with_stem(root: Path, stem: str) -> bool:
    return root.is_dir() and any(p.stem == stem for p in root.iterdir() if p.is_file())


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)

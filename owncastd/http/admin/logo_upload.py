"""The `logo` setter's upload: a `data:` URI image saved in the data directory, served at /logo.

Only PNG, JPEG, GIF, WebP and SVG are taken, at most 2 MiB, and the bytes must match the
declared type. SVG is a document a browser may run, so it is parsed and checked against an
allow-list (:mod:`owncastd.http.admin.svg_check`: no scripts, event handlers, external
links, foreign objects or entities). The file is named after its content
(`logo-<hash>.<ext>`), which also busts caches; older uploads are removed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

import trio

from owncastd.http.admin.svg_check import check_svg
from owncastd.http.image_sniff import RASTER_EXTENSIONS, sniff_raster
from owncastd.http.json_body import BadRequestError

MAX_LOGO_BYTES = 2 * 1024 * 1024
EXTENSIONS = {
    **RASTER_EXTENSIONS,
    "image/svg+xml": ".svg",
}
DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)(?P<params>(;[\w.-]+=[\w.-]+)*);base64,")
UPLOAD_PREFIX = "logo-"


def decode_logo(data_uri: str) -> tuple[bytes, str]:
    """`(image bytes, file extension)` of a base64 `data:` URI, or BadRequestError."""
    match = DATA_URI.match(data_uri)
    if match is None:
        raise BadRequestError("logo must be a data URI such as data:image/png;base64,…")
    mime = match["type"].lower()
    extension = EXTENSIONS.get(mime)
    if extension is None:
        raise BadRequestError(
            f"logo must be one of {', '.join(EXTENSIONS)} (got {mime[:40]})", status=415
        )
    encoded = data_uri[match.end() :]
    if len(encoded) > (MAX_LOGO_BYTES * 4) // 3 + 4:
        raise BadRequestError(f"logo must be at most {MAX_LOGO_BYTES // 1024} KiB", status=413)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError("logo is not valid base64") from None
    if not data:
        raise BadRequestError("logo is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise BadRequestError(f"logo must be at most {MAX_LOGO_BYTES // 1024} KiB", status=413)
    if not _looks_like(mime, data):
        raise BadRequestError(f"logo data is not a {mime} image")
    return data, extension


def _looks_like(mime: str, data: bytes) -> bool:
    if mime != "image/svg+xml":
        return sniff_raster(data) == mime
    check_svg(data)  # BadRequestError with what was refused
    return True


async def save_logo(data_dir: Path, data_uri: str, *, keep: str = "") -> str:
    """Validate and store the image; return its file name (relative to `data_dir`).

    Earlier uploads other than the new file and `keep` (the logo in use) are deleted.
    """
    data, extension = decode_logo(data_uri)
    name = f"{UPLOAD_PREFIX}{hashlib.sha256(data).hexdigest()[:16]}{extension}"
    await trio.to_thread.run_sync(_write, data_dir, name, data, keep)
    return name


def write_public_file(data_dir: Path, name: str, data: bytes) -> None:
    """Write `data_dir/name` atomically, readable by all (an image the web serves)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, data_dir / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write(data_dir: Path, name: str, data: bytes, keep: str) -> None:
    write_public_file(data_dir, name, data)
    for old in data_dir.glob(f"{UPLOAD_PREFIX}*"):
        if old.name not in (name, keep) and old.is_file():
            with contextlib.suppress(OSError):
                old.unlink()

"""Owncast's favicon (develop §5.1): the admin upload, its reset, and `/favicon.ico`."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

from owncastd.http.context import STATIC_DIR
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
# A 1×1 ICO wrapping the PNG above (ICONDIR + one ICONDIRENTRY).
ICO = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 1, 1, 0, 0, 1, 32, len(PNG), 22) + PNG
DEFAULT = (STATIC_DIR / "img" / "logo.png").read_bytes()


def uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def stored(admin: AdminHarness) -> list[str]:
    return sorted(p.name for p in Path(admin.paths.data_dir).glob("favicon*"))


async def favicon(admin: AdminHarness) -> tuple[int, Any, bytes]:
    response, _ = await admin.get("/favicon.ico", auth=False)
    return response.status_code, response.headers, await response.get_data()


async def test_the_default_favicon_is_the_bundled_png_cached_a_week(admin: AdminHarness) -> None:
    status, headers, data = await favicon(admin)
    assert status == 200
    assert data == DEFAULT and data.startswith(b"\x89PNG")
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == "public, max-age=604800"
    assert headers["Content-Length"] == str(len(DEFAULT))


async def test_a_png_upload_is_served_then_reset(admin: AdminHarness) -> None:
    response, body = await admin.set_config("favicon", uri("image/png", PNG))
    assert response.status_code == 200
    assert body == {"success": True, "message": "favicon updated"}
    assert (admin.paths.data_dir / "favicon.png").read_bytes() == PNG
    status, headers, data = await favicon(admin)
    assert (status, data, headers["Content-Type"]) == (200, PNG, "image/png")
    assert headers["Cache-Control"] == "public, max-age=604800"

    response, body = await admin.request("DELETE", "/api/admin/config/favicon")
    assert response.status_code == 200
    assert body == {"success": True, "message": "favicon reset to default"}
    assert not (admin.paths.data_dir / "favicon.png").exists()
    assert (await favicon(admin))[2] == DEFAULT


async def test_an_ico_upload_is_served_as_x_icon_for_two_hours(admin: AdminHarness) -> None:
    await admin.set_config("favicon", uri("image/png", PNG))
    response, _ = await admin.set_config("favicon", uri("image/x-icon", ICO))
    assert response.status_code == 200
    assert not (admin.paths.data_dir / "favicon.png").exists()  # one favicon at a time
    status, headers, data = await favicon(admin)
    assert (status, data) == (200, ICO)
    assert headers["Content-Type"] == "image/x-icon"
    assert headers["Cache-Control"] == "public, max-age=7200"


async def test_uploads_are_refused_with_owncasts_messages(admin: AdminHarness) -> None:
    cases = [
        (42, "unable to find image data"),
        (
            uri("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            "favicon must be PNG or ICO format",
        ),
        (uri("image/png", b"GIF89a not a png"), "favicon must be PNG or ICO format"),
        (uri("image/x-icon", PNG), "favicon must be PNG or ICO format"),
        (uri("image/png", PNG + b"\x00" * (200 * 1024)), "file too large, max 200KB"),
    ]
    for value, message in cases:
        response, body = await admin.set_config("favicon", value)
        assert response.status_code == 400, message
        assert body == {"success": False, "message": message}
    assert stored(admin) == []


async def test_the_body_is_capped_at_300_kib(admin: AdminHarness) -> None:
    response, _ = await admin.set_config("favicon", "x" * (300 * 1024))
    assert response.status_code == 413
    assert stored(admin) == []


async def test_admin_auth_and_preflight(admin: AdminHarness) -> None:
    response, _ = await admin.set_config("favicon", uri("image/png", PNG), auth=False)
    assert response.status_code == 401
    response, _ = await admin.request("DELETE", "/api/admin/config/favicon", auth=False)
    assert response.status_code == 401
    response, _ = await admin.request("OPTIONS", "/api/admin/config/favicon", auth=False)
    assert response.status_code == 204


async def test_the_viewer_pages_link_the_favicon(admin: AdminHarness) -> None:
    for path in ("/", "/embed/video", "/embed/chat/readwrite", "/embed/chat/readonly"):
        _, page = await admin.get(path, auth=False)
        assert b'<link rel="icon" href="/favicon.ico">' in page, path

"""Video and asset routes (reference §1.3, §5.6, §5.8): /hls, thumbnails, logo, robots, public."""

from __future__ import annotations

import json

import pytest

from owncastd.http.context import STATIC_DIR
from tests.component.fast_fixtures import web_fixture  # noqa: F401
from tests.component.http_fixtures import WebHarness

SECRET = b"TOP-SECRET-OUTSIDE-HLS"
MASTER = b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1200000\n0/stream.m3u8\n"
VARIANT = b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nstream-abc-1.ts\n"
SEGMENT = bytes(range(256)) * 700  # ~180 KB of "video"
DEFAULT_LOGO = (STATIC_DIR / "img" / "logo.svg").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"thumb" * 10
GIF = b"GIF89a" + b"preview" * 10


def hls_files(web: WebHarness) -> None:
    web.write(web.paths.hls_dir, "stream.m3u8", MASTER)
    web.write(web.paths.hls_dir, "0/stream.m3u8", VARIANT)
    web.write(web.paths.hls_dir, "0/stream-abc-1.ts", SEGMENT)
    for name in ("secret.ts", "secret.m3u8", "hls/secret.ts"):  # beside and above hls_dir
        web.write(web.paths.data_dir.parent, name, SECRET)
        web.write(web.paths.data_dir, name, SECRET)
    web.write(web.paths.hls_dir, ".hidden.m3u8", SECRET)
    web.write(web.paths.hls_dir, "0/.hidden.ts", SECRET)
    for name in ("0/info.json", "0/notes.txt", "0/noextension", "0/stream.mp4", "0/seg.TS"):
        web.write(web.paths.hls_dir, name, SECRET)


def cors(response) -> str | None:
    return response.headers.get("Access-Control-Allow-Origin")


async def assert_error_404(response) -> None:
    data = await response.get_data()
    assert response.status_code == 404, (response.status_code, data)
    assert SECRET not in data
    assert json.loads(data)["success"] is False


# ---- /hls ----------------------------------------------------------------------------------


async def test_playlists_are_served_uncached_with_cors(web: WebHarness):
    hls_files(web)
    for path, expected in (("/hls/stream.m3u8", MASTER), ("/hls/0/stream.m3u8", VARIANT)):
        response = await web.get(path)
        assert response.status_code == 200
        assert await response.get_data() == expected
        assert response.headers["Content-Type"] == "application/x-mpegURL"
        assert "no-cache" in response.headers["Cache-Control"]
        assert cors(response) == "*"


async def test_playlists_are_read_fresh_each_time(web: WebHarness):
    hls_files(web)
    assert await (await web.get("/hls/0/stream.m3u8")).get_data() == VARIANT
    updated = VARIANT + b"#EXTINF:2.0,\nstream-abc-2.ts\n"
    web.write(web.paths.hls_dir, "0/stream.m3u8", updated)
    assert await (await web.get("/hls/0/stream.m3u8")).get_data() == updated


async def test_missing_playlist_is_404(web: WebHarness):
    await assert_error_404(await web.get("/hls/3/stream.m3u8"))


async def test_segments_are_cached_for_a_year_with_cors(web: WebHarness):
    hls_files(web)
    response = await web.get("/hls/0/stream-abc-1.ts")
    assert response.status_code == 200
    assert await response.get_data() == SEGMENT
    assert response.headers["Cache-Control"] == "public, max-age=31557600"
    assert response.headers["Content-Type"] == "video/mp2t"
    assert cors(response) == "*"


async def test_segments_are_served_from_memory_after_the_first_read(web: WebHarness):
    hls_files(web)
    assert (await web.get("/hls/0/stream-abc-1.ts")).status_code == 200
    (web.paths.hls_dir / "0" / "stream-abc-1.ts").unlink()
    again = await web.get("/hls/0/stream-abc-1.ts")
    assert again.status_code == 200
    assert await again.get_data() == SEGMENT
    await assert_error_404(await web.get("/hls/0/stream-abc-2.ts"))


@pytest.mark.parametrize(
    "path", ["/hls/0/info.json", "/hls/0/notes.txt", "/hls/0/noextension", "/hls/0/stream.mp4"]
)
async def test_only_playlists_and_segments_are_served(web: WebHarness, path: str):
    hls_files(web)
    await assert_error_404(await web.get(path))


TRAVERSALS = [
    "/hls/../secret.ts",
    "/hls/../secret.m3u8",
    "/hls/../../secret.ts",
    "/hls/0/../../secret.ts",
    "/hls/%2e%2e/secret.ts",
    "/hls/%2E%2E/%2e%2e/secret.m3u8",
    "/hls/0/..%2f..%2fsecret.ts",
    "/hls/..%5csecret.ts",
    "/hls/0\\..\\..\\secret.ts",
    "/hls/.hidden.m3u8",
    "/hls/0/.hidden.ts",
    "/hls/./0/stream.m3u8",
    "/hls/%00secret.ts",
    "/hls/0/stream-abc-1.ts%00.m3u8",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_path_traversal_is_refused(web: WebHarness, path: str):
    hls_files(web)
    await assert_error_404(await web.get(path))


async def test_absolute_paths_are_refused(web: WebHarness):
    hls_files(web)
    outside = web.paths.data_dir / "secret.ts"
    for path in (f"/hls/{outside}", f"/hls/%2F{str(outside).lstrip('/')}"):
        response = await web.get(path)
        data = await response.get_data()
        assert SECRET not in data
        assert response.status_code in (404, 308), (path, response.status_code)
        if response.status_code == 308:  # merged slashes: the redirect must stay inside /hls/
            follow = await web.get(response.headers["Location"])
            await assert_error_404(follow)


async def test_playlist_requests_mark_viewers_only_while_live(web: WebHarness, mock_clock):
    hls_files(web)
    await web.get("/hls/stream.m3u8", headers={"User-Agent": "VLC"})
    await web.go_online()
    _, status = await web.get_json("/api/status")
    assert "viewerCount" not in status  # 0 is omitted (Owncast's omitempty)

    await web.get("/hls/stream.m3u8", headers={"User-Agent": "VLC"})
    await web.get("/hls/0/stream.m3u8", headers={"User-Agent": "VLC"})
    await web.get("/hls/0/stream.m3u8", headers={"User-Agent": "Safari"})
    await web.get("/hls/0/stream-abc-1.ts", headers={"User-Agent": "curl"})  # segments do not
    _, status = await web.get_json("/api/status")
    assert status["viewerCount"] == 2


# ---- thumbnails ------------------------------------------------------------------------------


async def test_thumbnail_is_the_default_logo_while_offline(web: WebHarness):
    web.write(web.paths.thumbnails_dir, "thumbnail.jpg", JPEG)  # stale, from an old stream
    response = await web.get("/thumbnail.jpg")
    assert response.status_code == 200
    assert await response.get_data() == DEFAULT_LOGO
    assert response.headers["Content-Type"] == "image/svg+xml"


async def test_thumbnail_is_the_configured_logo_while_offline(web: WebHarness):
    web.write(web.paths.data_dir, "logo.png", PNG)
    web.configure("server", logo="logo.png")
    response = await web.get("/thumbnail.jpg")
    assert await response.get_data() == PNG
    assert response.headers["Content-Type"] == "image/png"


async def test_thumbnail_while_live(web: WebHarness):
    web.stream.begin("203.0.113.9")
    response = await web.get("/thumbnail.jpg")
    assert await response.get_data() == DEFAULT_LOGO, "no thumbnail generated yet: the logo"

    web.write(web.paths.thumbnails_dir, "thumbnail.jpg", JPEG)
    response = await web.get("/thumbnail.jpg")
    assert response.status_code == 200
    assert await response.get_data() == JPEG
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=20"


async def test_thumbnail_is_cached_for_20_seconds_even_when_it_is_the_logo(web: WebHarness):
    response = await web.get("/thumbnail.jpg")
    assert response.headers["Cache-Control"] == "public, max-age=20"


async def test_preview_gif_only_while_live(web: WebHarness):
    web.write(web.paths.thumbnails_dir, "preview.gif", GIF)
    await assert_error_404(await web.get("/preview.gif"))
    session = web.stream.begin("203.0.113.9")
    response = await web.get("/preview.gif")
    assert response.status_code == 200
    assert await response.get_data() == GIF
    assert response.headers["Content-Type"] == "image/gif"
    session.end()
    await assert_error_404(await web.get("/preview.gif"))


# ---- logo ----------------------------------------------------------------------------------


async def test_default_logo(web: WebHarness):
    response = await web.get("/logo")
    assert response.status_code == 200
    assert await response.get_data() == DEFAULT_LOGO
    assert response.headers["Content-Type"] == "image/svg+xml"


async def test_configured_logo_relative_to_the_data_dir(web: WebHarness):
    web.write(web.paths.data_dir, "branding/logo.png", PNG)
    web.configure("server", logo="branding/logo.png")
    for path in ("/logo", "/logo/external"):
        response = await web.get(path)
        assert response.status_code == 200
        assert await response.get_data() == PNG
        assert response.headers["Content-Type"] == "image/png"


async def test_missing_configured_logo_falls_back_to_the_default(web: WebHarness):
    web.configure("server", logo="gone.png")
    response = await web.get("/logo")
    assert response.status_code == 200
    assert await response.get_data() == DEFAULT_LOGO
    assert response.headers["Content-Type"] == "image/svg+xml"


async def test_external_logo_is_served(web: WebHarness):
    response = await web.get("/logo/external")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/")


async def test_external_logo_is_never_svg(web: WebHarness):
    response = await web.get("/logo/external")
    assert response.status_code == 200
    assert response.headers["Content-Type"] in {"image/png", "image/jpeg", "image/gif"}


# ---- robots, custom javascript, public files -------------------------------------------------


async def test_robots_txt_allows_indexing_by_default(web: WebHarness):
    response = await web.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = (await response.get_data()).decode()
    assert text.splitlines() == ["User-agent: *", "Disallow: /admin", "Disallow: /api"]


async def test_robots_txt_disallows_everything_when_indexing_is_disabled(web: WebHarness):
    web.configure("server", disable_search_indexing=True)
    text = (await (await web.get("/robots.txt")).get_data()).decode()
    assert text.splitlines() == [
        "User-agent: *",
        "Disallow: /admin",
        "Disallow: /api",
        "Disallow: /",
    ]


async def test_custom_javascript(web: WebHarness):
    response = await web.get("/customjavascript")
    assert response.status_code == 200
    assert await response.get_data() == b""
    web.configure("server", custom_javascript="console.log('héllo');")
    response = await web.get("/customjavascript")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert (await response.get_data()).decode() == "console.log('héllo');"


async def test_public_files(web: WebHarness):
    web.write(web.paths.public_dir, "notes.txt", b"hello")
    web.write(web.paths.public_dir, "img/banner.png", PNG)
    response = await web.get("/public/notes.txt")
    assert response.status_code == 200
    assert await response.get_data() == b"hello"
    assert response.mimetype == "text/plain"
    response = await web.get("/public/img/banner.png")
    assert await response.get_data() == PNG
    assert response.headers["Content-Type"] == "image/png"
    await assert_error_404(await web.get("/public/missing.txt"))
    await assert_error_404(await web.get("/public/img"))


@pytest.mark.parametrize(
    "path",
    [
        "/public/../secret.ts",
        "/public/%2e%2e/secret.ts",
        "/public/img/../../secret.ts",
        "/public/..%2fsecret.ts",
        "/public/..\\secret.ts",
        "/public/.env",
    ],
)
async def test_public_traversal_is_refused(web: WebHarness, path: str):
    web.write(web.paths.data_dir, "secret.ts", SECRET)
    web.write(web.paths.public_dir, ".env", SECRET)
    await assert_error_404(await web.get(path))

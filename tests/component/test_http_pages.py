"""The viewer page, embeds, static files and the router's fallbacks (reference §1.1, §1.3)."""

from __future__ import annotations

import json

import pytest

from owncastd.http.context import STATIC_DIR
from tests.component.fast_fixtures import web_fixture  # noqa: F401
from tests.component.http_fixtures import WebHarness

PACKAGE_FILE = (STATIC_DIR.parent / "context.py").read_bytes()


@pytest.mark.parametrize("path", ["/", "/embed/video"])
async def test_pages_are_html(web: WebHarness, path: str):
    response = await web.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.mimetype_params.get("charset", "").lower() == "utf-8"
    text = (await response.get_data()).decode()
    assert text.lstrip().lower().startswith("<!doctype html")
    assert "</html>" in text.lower()


async def test_index_and_embed_are_different_pages(web: WebHarness):
    index = await (await web.get("/")).get_data()
    embed = await (await web.get("/embed/video")).get_data()
    assert index == (STATIC_DIR / "index.html").read_bytes()
    assert embed == (STATIC_DIR / "embed-video.html").read_bytes()


async def test_static_javascript(web: WebHarness):
    response = await web.get("/static/app.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert await response.get_data() == (STATIC_DIR / "app.js").read_bytes()


async def test_static_css_and_nested_files(web: WebHarness):
    css = await web.get("/static/style.css")
    assert css.mimetype == "text/css"
    svg = await web.get("/static/img/logo.svg")
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert await svg.get_data() == (STATIC_DIR / "img" / "logo.svg").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../context.py",
        "/static/%2e%2e/context.py",
        "/static/img/../../context.py",
        "/static/..%2fcontext.py",
        "/static/..\\context.py",
        "/static/missing.js",
        "/static/img",
    ],
)
async def test_static_refuses_traversal_and_missing_files(web: WebHarness, path: str):
    response = await web.get(path)
    data = await response.get_data()
    assert response.status_code == 404
    assert PACKAGE_FILE not in data
    assert b"WebContext" not in data
    served = await web.get("/static/img/logo.svg")  # a real file beside them is served
    assert served.status_code == 200
    assert await served.get_data() == (STATIC_DIR / "img" / "logo.svg").read_bytes()


@pytest.mark.parametrize("path", ["/nope", "/api/nope", "/debug/vars", "/admin.php"])
async def test_unknown_paths_are_404_in_owncast_error_shape(web: WebHarness, path: str):
    response = await web.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    payload = json.loads(await response.get_data())
    assert set(payload) == {"success", "message"}
    assert payload["success"] is False
    assert isinstance(payload["message"], str) and payload["message"]


async def test_embed_chat_redirects_to_the_readonly_chat(web: WebHarness):
    response = await web.get("/embed/chat")
    assert response.status_code == 307
    assert response.headers["Location"] == "/embed/chat/readonly"


async def test_embed_chat_with_trailing_slash_redirects_too(web: WebHarness):
    response = await web.get("/embed/chat/")
    assert response.status_code == 307
    assert response.headers["Location"] == "/embed/chat/readonly"


async def test_social_handle_icons_are_served(web: WebHarness):
    _, config = await web.get_json("/api/config")
    icon = config["socialHandles"][0]["icon"]
    response = await web.get(icon)
    assert response.status_code == 200, icon
    assert response.mimetype.startswith("image/")

"""Owncast's admin web URLs (develop §6.1, §6.2): redirects, Basic auth, the page map, headers."""

from __future__ import annotations

import re

import pytest

from owncastd.http.admin_web.page_map import BY_PATH, OURS, PAGES
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.component.app_fixtures import basic

REALM = 'Basic realm="Owncast Authenticated Request"'
# Every page of Owncast's develop page map (§6.2), as Owncast's admin links to it.
OWNCAST_PAGES = [
    "/admin/",
    "/admin/viewer-info/",
    "/admin/chat/messages/",
    "/admin/chat/users/",
    "/admin/chat/emojis/",
    "/admin/users/",
    "/admin/federation/followers/",
    "/admin/config/general/",
    "/admin/config/server/",
    "/admin/config-video/",
    "/admin/config-chat/",
    "/admin/config-federation/",
    "/admin/config-featured/",
    "/admin/config-notify/",
    "/admin/hardware-info/",
    "/admin/stream-health/",
    "/admin/logs/",
    "/admin/federation/actions/",
    "/admin/webhooks/",
    "/admin/access-tokens/",
    "/admin/actions/",
    "/admin/plugins/",
    "/admin/plugins/configure/?id=some-plugin",
    "/admin/schedule/",
    "/admin/config/appearance/",
    "/admin/upgrade/",
    "/admin/help/",
]


async def test_admin_without_slash_is_a_relative_301_without_auth(admin: AdminHarness) -> None:
    response, _ = await admin.get("/admin", auth=False)
    assert response.status_code == 301
    assert response.headers["Location"] == "admin/"
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/config/general/", "/admin/nope", "/admin/x/", "/api/admin/status"]
)
@pytest.mark.parametrize("auth", [None, "wrong", "nobody"])
async def test_every_page_needs_the_admin_with_owncasts_401(
    admin: AdminHarness, path: str, auth: str | None
) -> None:
    headers = {}
    if auth == "wrong":
        headers = basic("admin", "not the password")
    elif auth == "nobody":
        headers = basic("nobody", "correct horse battery staple")
    response, body = await admin.get(path, auth=False, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert body == b"Unauthorized\n"


async def test_options_is_204_without_auth(admin: AdminHarness) -> None:
    response, body = await admin.request("OPTIONS", "/admin/config/general/", auth=False)
    assert response.status_code == 204
    assert body == b""


@pytest.mark.parametrize("url", [*OWNCAST_PAGES, "/admin/backups/"])
async def test_every_page_url_answers_200_with_its_page(admin: AdminHarness, url: str) -> None:
    response, body = await admin.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = body.decode()
    assert html.startswith("<!doctype html>")
    path = url.split("?")[0].removeprefix("/admin/")
    (page,) = [p for p in PAGES if p.path == path]
    assert f"<h1>{page.title}</h1>" in html
    assert f'href="/admin/{path}" aria-current="page"' in html or not page.sidebar


async def test_the_page_map_is_owncasts_and_nothing_more(admin: AdminHarness) -> None:
    """Owncast's pages, plus only the pages that say they are ours (backups)."""
    assert set(OURS) == {"backups/"}
    assert sorted(f"/admin/{p.path}" for p in PAGES if p.path not in OURS) == sorted(
        u.split("?")[0] for u in OWNCAST_PAGES
    )
    for path in OURS:
        assert "owncastd's own page" in BY_PATH[path].about


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/admin/config/general", "general/"),
        ("/admin/config-video", "config-video/"),
        ("/admin/chat/messages", "messages/"),
        ("/admin/plugins/configure?id=x", "configure/?id=x"),
        ("/admin/index.html", "./"),
        ("/admin/logs/index.html", "./"),
    ],
)
async def test_a_page_without_its_slash_is_a_relative_301_after_auth(
    admin: AdminHarness, url: str, location: str
) -> None:
    response, _ = await admin.get(url, auth=False)
    assert response.status_code == 401
    response, _ = await admin.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == location


@pytest.mark.parametrize(
    "url", ["/admin/nope/", "/admin/config/", "/admin/config/nope/", "/admin/x"]
)
async def test_an_unknown_admin_path_is_owncasts_404(admin: AdminHarness, url: str) -> None:
    response, body = await admin.get(url)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"404 page not found\n"


async def test_pages_carry_a_strict_csp_and_refuse_framing(admin: AdminHarness) -> None:
    response, body = await admin.get("/admin/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    html = body.decode()
    # No inline script, handler or style: every <script> has a same-origin src.
    assert re.findall(r"<script(?![^>]*\ssrc=\"/admin/assets/)", html) == []
    assert not re.search(r"\son[a-z]+=", html)
    assert "<style" not in html and " style=" not in html


async def test_the_admin_scripts_and_styles_need_the_admin_too(admin: AdminHarness) -> None:
    # The issue: every admin page *and asset* needs the admin's credentials (Owncast serves its
    # admin chunks publicly under /_next/).
    _, body = await admin.get("/admin/")
    assets = re.findall(r'(?:src|href)="(/admin/assets/[^"]+)"', body.decode())
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        refused, text = await admin.get(asset, auth=False)
        assert refused.status_code == 401, asset
        assert refused.headers["WWW-Authenticate"] == REALM and text == b"Unauthorized\n"
        response, _ = await admin.get(asset)
        assert response.status_code == 200, asset
        kind = "text/javascript" if asset.endswith(".js") else "text/css"
        assert response.headers["Content-Type"].startswith(kind)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for gone in ("/static/admin/shell.js", "/admin/assets/../routes.py", "/admin/assets/nope.js"):
        response, _ = await admin.get(gone)
        assert response.status_code == 404, gone


@pytest.mark.parametrize(
    "url",
    [
        "/admin/%00",
        "/admin/%ff/",
        "/admin/" + "a/" * 2000,
        "/admin/..%2f..%2fetc/passwd",
        "/admin//",
    ],
)
async def test_odd_admin_paths_are_404s_or_redirects(admin: AdminHarness, url: str) -> None:
    response, body = await admin.get(url)
    assert response.status_code in (301, 308, 404), (url, response.status_code, body[:200])

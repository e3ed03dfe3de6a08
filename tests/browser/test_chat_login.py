"""The viewer page's "Authenticate" dialog in a real browser: an IndieAuth login from the chat
panel through a loopback IndieAuth site (which checks the PKCE verifier) and back to the page,
where the user is now authenticated and the button is gone. The server runs in-process on a
thread (as tests/component/identity_fixtures.py builds it: loopback IndieAuth pages allowed).
The open dialog passes axe (serious/critical) and the page logs no console errors."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.browser.test_chat_page import CONNECTED, IDENTITY, Browser
from tests.browser.test_team_thread import AXE, chromium  # noqa: F401
from tests.component.identity_fixtures import start_login_server
from tests.indieauth_site import IndieAuthSite

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@contextmanager
def login_server(tmp_path: Path) -> Iterator[tuple[str, IndieAuthSite]]:
    """The chat server with the login routes and an IndieAuth site, on a trio thread."""
    ready: queue.Queue[Any] = queue.Queue()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            login = await start_login_server(nursery, tmp_path)
            site = await IndieAuthSite().start(nursery)
            ready.put((login.chat.url, site, trio.lowlevel.current_trio_token(), nursery))

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    url, site, token, nursery = ready.get(timeout=30)
    try:
        yield url, site
    finally:
        trio.from_thread.run_sync(nursery.cancel_scope.cancel, trio_token=token)
        thread.join(10)


def viewer_page(browser: Browser, console: list[str], url: str) -> Any:
    """The viewer page; this app has no Chatwoot bridge, so its thread route answers what the
    daemon's does while the bridge is off (204)."""
    context = browser.browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/api/chatwoot/thread*", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.on("pageerror", lambda exc: browser.errors.append(str(exc)))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(url + "/")
    return page


def test_indieauth_login_from_the_chat_panel(tmp_path: Path, chromium) -> None:  # noqa: F811
    browser, console = chromium
    with login_server(tmp_path) as (url, site):
        page = viewer_page(browser, console, url)
        page.wait_for_selector(CONNECTED, timeout=15_000)
        page.click("#login-toggle")
        page.wait_for_selector("#login-dialog[open]")
        assert page.get_attribute("#login-tab-indieauth", "aria-selected") == "true"
        assert page.locator("#login-tab-fediverse").count() == 0  # federation is off
        page.evaluate(AXE.read_text())
        result = page.evaluate("axe.run('#login-dialog', {resultTypes: ['violations']})")
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious

        page.fill("#login-indieauth-url", site.me)
        page.press("#login-indieauth-url", "Enter")  # keyboard only
        page.wait_for_selector(CONNECTED, timeout=15_000)  # back on the page after the callback
        page.wait_for_selector("#login-toggle", state="hidden", timeout=15_000)
        assert site.refusals == [] and len(site.exchanges) == 1
        assert page.url == url + "/"

        token = page.evaluate(IDENTITY)["accessToken"]
        page.fill("#chat-input", "signed in")
        page.press("#chat-input", "Enter")
        page.wait_for_selector("#chat-messages :text('signed in')")
        history = httpx.get(f"{url}/api/chat", params={"accessToken": token}, timeout=10).json()
        assert history[-1]["user"]["authenticated"] is True
    assert console == []
    assert browser.errors == []

"""The chat panel in a real browser (Debian's chromium via Playwright) against a real owncastd.

Two browser contexts (separate localStorage, so two chat users) talk to each other; one is made a
moderator through the admin API and hides the other's message, which then disappears from both
pages. The panel survives a daemon restart on the same port and says it is disconnected meanwhile.
The client-side sanitiser is checked with XSS payloads in the page itself.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CONNECTED = "body[data-chat-state=connected]"
DISCONNECTED = "body[data-chat-state=disconnected]"
IDENTITY = "JSON.parse(localStorage.getItem('owncastd.chat.identity'))"


@dataclass
class Browser:
    """A chromium with one context per chat user; page errors are collected."""

    browser: Any
    errors: list[str] = field(default_factory=list)

    def user_page(self, url: str, *, stored_identity: dict | None = None) -> Any:
        """A page in a fresh context (its own localStorage: a new chat user), optionally
        with an identity already stored as if from an earlier visit."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        if stored_identity is not None:
            value = json.dumps(json.dumps(stored_identity))
            context.add_init_script(f"localStorage.setItem('owncastd.chat.identity', {value})")
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(url)
        return page


@pytest.fixture
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield Browser(browser)
        browser.close()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    write_chat_config(tmp_path)
    process = DaemonProcess(tmp_path).wait_ready()
    yield process
    process.stop()


def chat_message(page: Any, text: str) -> Any:
    """The CHAT item whose text contains `text`."""
    return page.locator("#chat-messages [data-message-type=CHAT]", has_text=text)


def send(page: Any, text: str) -> None:
    """Type a message and press Enter."""
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def write_chat_config(data_dir: Path) -> None:
    """The e2e config, with the flood limit off: the test users type faster than people."""
    path = write_config(data_dir)
    path.write_text(path.read_text() + "\n[chat]\nspam_protection_enabled = false\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_pages_chat_and_a_moderator_hides_a_message(daemon, chromium):
    alice = chromium.user_page(daemon.url + "/")
    bob = chromium.user_page(daemon.url + "/")
    alice.wait_for_selector(CONNECTED, timeout=15_000)
    bob.wait_for_selector(CONNECTED, timeout=15_000)
    alice_id = alice.evaluate(IDENTITY)["id"]
    bob_token = bob.evaluate(IDENTITY)["accessToken"]
    assert alice_id != bob.evaluate(IDENTITY)["id"]

    send(alice, "hello from alice")
    chat_message(bob, "hello from alice").wait_for(timeout=10_000)
    bob.fill("#chat-input", "hello from bob")
    bob.click("#chat-send")
    bob_message = chat_message(alice, "hello from bob")
    bob_message.wait_for(timeout=10_000)
    message_id = bob_message.get_attribute("data-message-id")
    assert (
        message_id
        and chat_message(bob, "hello from bob").get_attribute("data-message-id") == message_id
    )
    # Nobody is a moderator yet: no moderation buttons anywhere.
    assert alice.locator("[data-action]").count() == 0

    # Markup in a message arrives as text or sanitised HTML, never as live script.
    send(bob, '<img src=x onerror="window.__xss=1"> [click](javascript:window.__xss=2) *xss-probe*')
    # (a distinctive marker: random display names may contain short words like "ok")
    chat_message(alice, "xss-probe").wait_for(timeout=10_000)
    assert alice.evaluate("window.__xss") is None
    assert alice.locator("#chat-messages a[href^='javascript']").count() == 0
    assert alice.locator("#chat-messages img:not(.emoji)").count() == 0

    response = httpx.post(
        daemon.url + "/api/admin/chat/users/setmoderator",
        json={"userId": alice_id, "isModerator": True},
        auth=("admin", ADMIN_PASSWORD),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    # The moderator gets hide/ban on bob's messages (not on her own) and a badge on new ones.
    bob_message.locator("[data-action=hide]").wait_for(timeout=10_000)
    assert bob_message.locator("[data-action=ban]").count() == 1
    assert chat_message(alice, "hello from alice").locator("[data-action]").count() == 0
    assert bob.locator("[data-action]").count() == 0
    send(alice, "now a moderator")
    chat_message(bob, "now a moderator").locator(".chat-badge-mod").wait_for(timeout=10_000)

    bob_message.locator("[data-action=hide]").click()
    chat_message(bob, "hello from bob").wait_for(state="hidden", timeout=10_000)
    bob_message.wait_for(state="hidden", timeout=10_000)
    assert chat_message(bob, "hello from alice").is_visible()
    history = daemon.get("/api/chat", params={"accessToken": bob_token}).json()
    assert message_id not in {item["id"] for item in history}

    # The read-only embed shows the history (without the hidden message) and no input. Its
    # stored token is unknown to this server: ERROR_NEEDS_REGISTRATION → it registers again.
    stale = {"id": "gone", "accessToken": "x" * 44, "displayName": "ghost"}
    embed = chromium.user_page(daemon.url + "/embed/chat/readonly", stored_identity=stale)
    embed.wait_for_selector(CONNECTED, timeout=15_000)
    assert embed.evaluate(IDENTITY)["accessToken"] != stale["accessToken"]
    chat_message(embed, "hello from alice").wait_for(timeout=10_000)
    assert chat_message(embed, "hello from bob").count() == 0
    assert embed.locator("#chat-input").count() == 0
    assert not chromium.errors, chromium.errors


def test_panel_reconnects_after_a_daemon_restart(tmp_path, chromium):
    write_chat_config(tmp_path)
    ports = ["--webserverport", str(free_port())]
    daemon = DaemonProcess(tmp_path, extra_args=ports).wait_ready()
    try:
        page = chromium.user_page(daemon.url + "/embed/chat/readwrite")
        page.wait_for_selector(CONNECTED, timeout=15_000)
        identity = page.evaluate(IDENTITY)
        send(page, "before the restart")
        chat_message(page, "before the restart").wait_for(timeout=10_000)
    except BaseException:
        daemon.stop()
        raise

    assert daemon.stop() == 0, daemon.log()
    page.wait_for_selector(DISCONNECTED, timeout=10_000)
    assert "reconnecting" in page.locator("#chat-status").inner_text()
    assert page.is_disabled("#chat-send")

    daemon = DaemonProcess(tmp_path, extra_args=ports).wait_ready()
    try:
        page.wait_for_selector(CONNECTED, timeout=35_000)
        assert page.locator("#chat-status").is_hidden()
        # Same user (the token survived the restart); history refetched without duplicates.
        assert page.evaluate(IDENTITY)["accessToken"] == identity["accessToken"]
        send(page, "after the restart")
        chat_message(page, "after the restart").wait_for(timeout=10_000)
        assert chat_message(page, "before the restart").count() == 1
    finally:
        daemon.stop()
    assert not chromium.errors, chromium.errors


SANITISER_CASES = {
    "<script>window.__xss=1</script>ok": "ok",
    '<img src=x onerror="window.__xss=1">': "",
    '<a href="javascript:window.__xss=1">j</a>': "<span>j</span>",
    '<a href=" JaVaScRiPt:window.__xss=1">j</a>': "<span>j</span>",
    '<a href="https://example.com/x" onclick="window.__xss=1" style="color:red">l</a>': (
        '<a href="https://example.com/x" rel="noreferrer noopener nofollow" target="_blank">l</a>'
    ),
    "<p>a<br>b</p><strong>s</strong><em>e</em><code>c</code><pre>p</pre>": (
        "<p>a<br>b</p><strong>s</strong><em>e</em><code>c</code><pre>p</pre>"
    ),
    '<img src="/img/emoji/party.gif" alt=":party:" onerror="window.__xss=1">': (
        '<img src="/img/emoji/party.gif" class="emoji" loading="lazy" alt=":party:">'
    ),
    '<img src="/img/emoji/../../api/admin/status">': "",
    '<img src="https://evil.example/img/emoji/x.png">': "",
    "<svg><script>window.__xss=1</script></svg><math><mi>x</mi></math>": "",
    '<iframe src="javascript:window.__xss=1"></iframe><style>*{}</style><form>f</form>': "",
    '<div onmouseover="window.__xss=1"><h1>t</h1></div>': "t",
    # The parser closes <noscript> at the <p>; the attribute holding the markup is not kept.
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">': "<p></p>",
    '<a href="https://e.example"><img src=x onerror="window.__xss=1">in</a>': (
        '<a href="https://e.example/" rel="noreferrer noopener nofollow" target="_blank">in</a>'
    ),
    "&lt;b&gt;escaped&lt;/b&gt;": "&lt;b&gt;escaped&lt;/b&gt;",
    # What trusted notices (bots, the admin) may carry besides the user allow-list.
    "<p><u>u</u><b>b</b><i>i</i><s>s</s></p><ul><li>l</li></ul><ol><li>o</li></ol>": (
        "<p><u>u</u><b>b</b><i>i</i><s>s</s></p><ul><li>l</li></ul><ol><li>o</li></ol>"
    ),
    '<u onclick="window.__xss=1" style="x">u</u>': "<u>u</u>",
}


def test_the_client_sanitiser_keeps_only_the_allow_list(daemon, chromium):
    page = chromium.user_page(daemon.url + "/embed/chat/readonly")
    results = page.evaluate(
        """async (cases) => {
            const { sanitizeHTML } = await import('/static/chat-sanitize.js');
            const out = {};
            for (const html of cases) {
                const box = document.createElement('div');
                box.append(sanitizeHTML(html));
                document.body.append(box);
                out[html] = box.innerHTML;
            }
            await new Promise((resolve) => setTimeout(resolve, 200));
            return { out, xss: window.__xss ?? null };
        }""",
        list(SANITISER_CASES),
    )
    assert results["xss"] is None
    assert results["out"] == SANITISER_CASES, json.dumps(results["out"], indent=1)
    assert not chromium.errors, chromium.errors

""" "Message the team" in a real browser against a real owncastd set up (as `owncastctl chatwoot
setup` does) against the stand-in Chatwoot through Prism: the button appears, the viewer's
private message reaches Chatwoot, an agent reply (with an attachment link) shows in that
viewer's panel only — never in public chat nor on another viewer's page — a private note never
shows, a moderator's "Team" button escalates a public message, and the thread is back after a
reload. The open panel passes axe (serious/critical), the pages log no console errors, and
Prism saw no request breaking Chatwoot's Swagger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_chat_page import CONNECTED, IDENTITY, Browser, write_chat_config
from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def chromium() -> Iterator[tuple[Browser, list[str]]]:
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield Browser(browser), console
        browser.close()


def open_page(browser: Browser, console: list[str], url: str) -> Any:
    page = browser.user_page(url)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return page


def set_up_chatwoot(daemon: DaemonProcess, chatwoot: ChatwootUnderTest) -> None:
    """What `owncastctl chatwoot setup` does (the bridge uses it without a restart)."""
    body = {"url": chatwoot.api_url, "accountId": 1, "token": chatwoot.token,
            "serverUrl": daemon.url}  # fmt: skip
    answer = httpx.post(f"{daemon.url}/api/admin/chatwoot/setup", json=body,
                        auth=("admin", ADMIN_PASSWORD), timeout=20)  # fmt: skip
    assert answer.status_code == 200, answer.text


def agent_replies_to_ada(ada: Any, daemon: DaemonProcess, chatwoot: ChatwootUnderTest) -> None:
    """Ada writes to the team; a note and a reply with an attachment come back."""
    ada.click("#team-toggle")
    assert ada.get_attribute("#team-toggle", "aria-expanded") == "true"
    ada.fill("#team-input", "Is the recording online?")
    ada.press("#team-input", "Enter")
    ada.wait_for_selector(".team-viewer:has-text('Is the recording online?')")
    wait_for(lambda: chatwoot.snapshot()["conversations"], 15, "a conversation", daemon.log)
    [conversation] = chatwoot.snapshot()["conversations"]
    cid = conversation["id"]
    chatwoot.control("agent_reply", {"conversation_id": cid, "content": "a note for agents only",
                                     "private": True})  # fmt: skip
    chatwoot.control("agent_reply", {"conversation_id": cid, "content": "Yes, here it is",
                                     "agent_name": "Agent Smith",
                                     "attachments": ["https://files.example/vod.png"]})  # fmt: skip
    reply = ada.wait_for_selector(".team-agent:has-text('Yes, here it is')")
    assert reply.query_selector("a[href='https://files.example/vod.png']") is not None
    assert "Agent Smith" in reply.inner_text()
    assert ada.locator("text=a note for agents only").count() == 0
    assert ada.locator("#chat-messages", has_text="Yes, here it is").count() == 0


def moderator_escalates(bob: Any, daemon: DaemonProcess, chatwoot: ChatwootUnderTest) -> None:
    """Bob, made a moderator, sends Ada's public message to the team."""
    promoted = httpx.post(
        f"{daemon.url}/api/admin/chat/users/setmoderator",
        json={"userId": bob.evaluate(IDENTITY)["id"], "isModerator": True},
        auth=("admin", ADMIN_PASSWORD),
    )
    assert promoted.status_code == 200
    bob.click(
        "#chat-messages [data-message-type=CHAT]:has-text('public hello') [data-action=escalate]"
    )
    bob.wait_for_selector("#chat-messages :text('Sent to the team.')")

    def labelled() -> bool:
        labels = [c["labels"] for c in chatwoot.snapshot()["conversations"]]
        return ["owncast-escalation"] in labels

    wait_for(labelled, 15, "escalation", daemon.log)


def test_private_thread_in_the_browser(
    tmp_path: Path, chromium, chatwoot: ChatwootUnderTest
) -> None:
    browser, console = chromium
    write_chat_config(tmp_path / "data")
    daemon = DaemonProcess(tmp_path / "data").wait_ready()
    try:
        set_up_chatwoot(daemon, chatwoot)
        ada = open_page(browser, console, daemon.url + "/")
        bob = open_page(browser, console, daemon.url + "/embed/chat/readwrite")
        for page in (ada, bob):
            page.wait_for_selector(CONNECTED, timeout=15_000)
            page.wait_for_selector("#team-toggle", timeout=10_000)
        agent_replies_to_ada(ada, daemon, chatwoot)
        # Bob: a public message from Ada reaches him, with nothing private before it.
        ada.fill("#chat-input", "public hello")
        ada.press("#chat-input", "Enter")
        bob.wait_for_selector("#chat-messages :text('public hello')")
        assert bob.locator("text=Yes, here it is").count() == 0
        assert bob.locator(".team-message").count() == 0
        moderator_escalates(bob, daemon, chatwoot)
        # The open panel is accessible.
        ada.evaluate(AXE.read_text())
        result = ada.evaluate("axe.run('#team-thread', {resultTypes: ['violations']})")
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious
        # After a reload (same stored identity) the thread is back.
        token = ada.evaluate(IDENTITY)["accessToken"]
        ada.reload()
        ada.wait_for_selector(CONNECTED, timeout=15_000)
        ada.click("#team-toggle")
        ada.wait_for_selector(".team-agent:has-text('Yes, here it is')")
        assert ada.locator(".team-message").count() == 2
        assert ada.evaluate(IDENTITY)["accessToken"] == token
        assert not browser.errors, browser.errors
        assert not console, console
        assert chatwoot.violations() == []
    finally:
        daemon.stop()

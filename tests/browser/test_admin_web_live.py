"""Issue 12, after the first increment: the admin pages that follow the daemon live (chat
messages over the chat websocket), recent webhook deliveries, and backups."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.admin_fixtures import ADMIN, AdminBrowser, admin_browser_fixture  # noqa: F401
from tests.browser.test_chat_page import CONNECTED, chat_message

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_chat_messages_arrive_and_hide_live_without_polling(admin_browser: AdminBrowser) -> None:
    """A viewer's message appears on the admin page without a reload or a second history
    read, and a hide from another admin session turns its row to Hidden the same way."""
    daemon = admin_browser.daemon
    page = admin_browser.page()
    reads: list[str] = []
    page.on(
        "request",
        lambda r: reads.append(r.url) if r.url.endswith("/api/admin/chat/messages") else None,
    )
    page.goto(daemon.url + "/admin/chat/messages/")
    page.wait_for_selector(CONNECTED, timeout=15_000)
    page.evaluate("window.notReloaded = true")
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.wait_for_selector(CONNECTED, timeout=15_000)
    viewer.fill("#chat-input", "live to the admin")
    viewer.press("#chat-input", "Enter")
    chat_message(viewer, "live to the admin").wait_for(timeout=10_000)
    row = page.locator("#messages tr", has_text="live to the admin")
    row.get_by_role("button", name="Hide").wait_for(timeout=10_000)
    message_id = row.get_attribute("data-message-id")
    hidden = httpx.post(
        daemon.url + "/api/admin/chat/messagevisibility",
        auth=ADMIN,
        json={"idArray": [message_id], "visible": False},
        timeout=10,
    )
    assert hidden.status_code == 200, hidden.text
    row.get_by_role("button", name="Show").wait_for(timeout=10_000)
    assert "Hidden" in row.inner_text()
    assert page.evaluate("window.notReloaded") is True
    assert len(reads) == 1, reads
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors

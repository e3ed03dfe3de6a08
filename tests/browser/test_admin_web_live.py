"""Issue 12, after the first increment: the admin pages that follow the daemon live (chat
messages over the chat websocket), recent webhook deliveries, and backups."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

import httpx
import pytest

from tests.browser.admin_fixtures import ADMIN, AdminBrowser, admin_browser_fixture  # noqa: F401
from tests.browser.test_admin_web_more import LoopbackSite
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


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[LoopbackSite]:
    site = LoopbackSite()
    yield site
    site.close()


def test_a_test_delivery_shows_under_recent_deliveries(
    admin_browser: AdminBrowser, receiver: LoopbackSite
) -> None:
    """The webhooks page lists the attempt it just made: event, webhook, the receiver's status."""
    hook = httpx.post(
        admin_browser.daemon.url + "/api/admin/webhooks/create",
        auth=ADMIN,
        json={"url": receiver.url + "/recent", "events": ["STREAM_STOPPED"]},
        timeout=10,
    ).json()
    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin/webhooks/")
    page.wait_for_selector("body[data-ready=yes]")
    assert "No deliveries" in page.locator("#deliveries").inner_text()
    page.locator("#webhooks tr", has_text="/recent").get_by_role("button", name="Send test").click()
    row = page.locator("#webhook-deliveries tbody tr", has_text="STREAM_STOPPED")
    row.wait_for(timeout=10_000)
    assert f"#{hook['id']} (test)" in row.inner_text()
    assert "200 OK" in row.inner_text()
    assert hook["secret"] not in page.content()
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_a_backup_is_made_and_downloaded_from_the_backups_page(admin_browser: AdminBrowser) -> None:
    """The backups page (ours) makes an archive, lists it and downloads it under its name."""
    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin/backups/")
    page.wait_for_selector("body[data-ready=yes]")
    assert "owncastd's own page" in page.inner_text("main")
    assert "null" not in page.inner_text("#app")
    page.get_by_role("button", name="Make a backup now").click()
    page.locator("#backups-status", has_text="Made owncastd-backup-").wait_for(timeout=15_000)
    link = page.locator("#backups a", has_text="Download owncastd-backup-").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("owncastd-backup-")
    assert download.suggested_filename.endswith(".tar.gz")
    with tarfile.open(download.path(), mode="r:gz") as tar:
        assert {"manifest.json", "owncast.db", "owncast.toml"} <= set(tar.getnames())
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_with_chat_off_the_messages_page_does_not_open_the_socket(
    admin_browser: AdminBrowser,
) -> None:
    """Chat disabled: the page shows the history and waits, without failing websocket attempts."""
    daemon = admin_browser.daemon

    def chat_disabled(value: bool) -> None:
        response = httpx.post(
            daemon.url + "/api/admin/config/chat/disable",
            auth=ADMIN,
            json={"value": value},
            timeout=10,
        )
        assert response.status_code == 200, response.text

    chat_disabled(True)
    try:
        page = admin_browser.page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(daemon.url + "/admin/chat/messages/")
        page.wait_for_selector("body[data-chat-state=disabled]", timeout=10_000)
        page.wait_for_selector("body[data-ready=yes]")
        assert sockets == []
        page.context.close()
    finally:
        chat_disabled(False)
    assert not admin_browser.errors, admin_browser.errors

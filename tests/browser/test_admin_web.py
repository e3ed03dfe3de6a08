"""Issue 12: the web admin in Debian's chromium against a real owncastd (and a real ffmpeg push).

One daemon for the module; each test opens its own browser context with the admin's Basic
credentials (Playwright's `http_credentials`), as a browser that was given the password.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.admin_fixtures import ADMIN, AdminBrowser, admin_browser_fixture  # noqa: F401
from tests.browser.test_chat_page import CONNECTED, chat_message
from tests.e2e.harness import Publisher

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def api(admin: AdminBrowser, method: str, path: str, body: Any = None) -> Any:
    """Call the admin API directly (no browser)."""
    response = httpx.request(method, admin.daemon.url + path, auth=ADMIN, json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def test_a_wrong_password_gets_owncasts_401(admin_browser: AdminBrowser) -> None:
    page = admin_browser.page(password="not the password")
    response = page.goto(admin_browser.daemon.url + "/admin/")
    assert response is not None and response.status == 401
    assert page.locator("body").inner_text().strip() == "Unauthorized"
    page.context.close()
    admin_browser.errors.clear()  # the console reports the 401 itself


def test_admin_redirects_then_logs_in(admin_browser: AdminBrowser) -> None:
    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin")
    assert page.url == admin_browser.daemon.url + "/admin/"
    assert page.locator("h1").inner_text() == "Overview"
    page.locator("#stream-state").wait_for()
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_the_overview_shows_the_live_stream(admin_browser: AdminBrowser) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/")
    page.wait_for_selector("body[data-stream-state=offline]", timeout=10_000)
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        page.wait_for_selector("body[data-stream-state=online]", timeout=15_000)
        assert page.locator("#stream-state .value").inner_text() == "Live"
        encoder = page.locator("#encoder").inner_text()
        assert "640×360" in encoder and "Audio" in encoder
    finally:
        publisher.stop()
    daemon.wait_online(False)
    page.wait_for_selector("body[data-stream-state=offline]", timeout=15_000)
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_a_stream_title_set_on_the_config_page_shows_on_the_viewer_page(
    admin_browser: AdminBrowser,
) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/config/general/")
    field = page.locator("#field-server-stream_title")
    field.wait_for()
    box = page.locator("#field-server-stream_title-box")
    assert "Title of the current stream" in box.inner_text()
    assert "Applies at once" in box.inner_text()
    # Too long: the setter's 400 message shows next to the field.
    field.evaluate("(input) => input.removeAttribute('maxlength')")
    field.fill("x" * 300)
    box.get_by_role("button", name="Save").click()
    status = page.locator("#field-server-stream_title-status")
    status.filter(has_text="255").wait_for(timeout=10_000)
    assert field.get_attribute("aria-invalid") == "true"
    field.fill("Admin-set title")
    box.get_by_role("button", name="Save").click()
    status.filter(has_text="Saved").wait_for(timeout=10_000)
    assert (
        api(admin_browser, "GET", "/api/admin/serverconfig")["instanceDetails"]["streamTitle"]
        == "Admin-set title"
    )
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.locator("#stream-title", has_text="Admin-set title").wait_for(timeout=10_000)
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_hiding_a_message_in_the_admin_removes_it_from_a_viewer_page(
    admin_browser: AdminBrowser,
) -> None:
    daemon = admin_browser.daemon
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.wait_for_selector(CONNECTED, timeout=15_000)
    viewer.fill("#chat-input", "please hide me")
    viewer.press("#chat-input", "Enter")
    chat_message(viewer, "please hide me").wait_for(timeout=10_000)
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/chat/messages/")
    row = page.locator("#messages tr", has_text="please hide me")
    row.wait_for(timeout=10_000)
    row.get_by_role("button", name="Hide").click()
    chat_message(viewer, "please hide me").wait_for(state="hidden", timeout=10_000)
    row = page.locator("#messages tr", has_text="please hide me")
    row.get_by_role("button", name="Show").wait_for(timeout=10_000)
    assert "Hidden" in row.inner_text()
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_a_new_token_is_shown_once(admin_browser: AdminBrowser) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/access-tokens/")
    page.locator("#token-name").fill("stream bot")
    page.get_by_label("Send chat messages").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token-value").inner_text(timeout=10_000)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}=", token)
    (made,) = [
        t
        for t in api(admin_browser, "GET", "/api/admin/accesstokens")
        if t["displayName"] == "stream bot"
    ]
    assert made["scopes"] == ["CAN_SEND_MESSAGES"]
    # The list masks it, and a reload never shows it again.
    row = page.locator("#tokens tr[data-token-name='stream bot']")
    assert token not in row.inner_text()
    page.reload()
    page.locator("#tokens tr[data-token-name='stream bot']").wait_for()
    assert token not in page.content()
    # It works as a bearer token.
    reply = httpx.post(
        daemon.url + "/api/integrations/chat/send",
        headers={"Authorization": f"Bearer {token}"},
        json={"body": "hello from the bot"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_stream_keys_are_masked_until_revealed_then_edited(admin_browser: AdminBrowser) -> None:
    from tests.e2e.harness import STREAM_KEY

    page = admin_browser.page()
    page.goto(admin_browser.daemon.url + "/admin/config/server/")
    box = page.locator("#field-rtmp-stream_keys-box")
    box.wait_for()
    assert "Hidden (1 set)" in box.inner_text()
    assert STREAM_KEY not in page.content()
    box.get_by_role("button", name="Reveal and edit").click()
    assert page.locator("#field-rtmp-stream_keys-0-key").input_value() == STREAM_KEY
    box.get_by_role("button", name="Hide").click()
    assert STREAM_KEY not in page.content()
    # A second key, added in the browser, is accepted by the RTMP server's key list.
    box.get_by_role("button", name="Reveal and edit").click()
    page.locator("#field-rtmp-stream_keys-add").click()
    page.locator("#field-rtmp-stream_keys-1-key").fill("second-key-from-the-browser")
    page.locator("#field-rtmp-stream_keys-1-comment").fill("backup encoder")
    box.get_by_role("button", name="Save").click()
    page.locator("#field-rtmp-stream_keys-status", has_text="Saved").wait_for(timeout=10_000)
    keys = api(admin_browser, "GET", "/api/admin/serverconfig")["streamKeys"]
    assert [k["key"] for k in keys] == [STREAM_KEY, "second-key-from-the-browser"]
    # The admin password is write-only: an empty password field, never a value.
    assert page.locator("#field-admin-password_hash").input_value() == ""
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_social_handles_are_edited_as_rows_from_the_settings_table(
    admin_browser: AdminBrowser,
) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/config/general/")
    box = page.locator("#field-server-social_handles-box")
    box.wait_for()
    before = len(
        api(admin_browser, "GET", "/api/admin/serverconfig")["instanceDetails"]["socialHandles"]
    )
    page.locator("#field-server-social_handles-add").click()
    row = before  # the new row's index
    page.locator(f"#field-server-social_handles-{row}-platform").fill("mastodon")
    page.locator(f"#field-server-social_handles-{row}-url").fill("https://example.social/@me")
    box.get_by_role("button", name="Save").click()
    page.locator("#field-server-social_handles-status", has_text="Saved").wait_for(timeout=10_000)
    handles = api(admin_browser, "GET", "/api/admin/serverconfig")["instanceDetails"][
        "socialHandles"
    ]
    assert handles[-1]["platform"] == "mastodon"
    assert handles[-1]["url"] == "https://example.social/@me"
    assert len(handles) == before + 1
    # A bad row: the setter's message shows, nothing is saved.
    page.locator(f"#field-server-social_handles-{row}-url").fill("not a url")
    box.get_by_role("button", name="Save").click()
    page.locator("#field-server-social_handles-status.error").wait_for(timeout=10_000)
    assert "socialhandles[" in page.locator("#field-server-social_handles-status").inner_text()
    page.context.close()
    assert not admin_browser.errors, admin_browser.errors


def test_external_actions_page_adds_a_button_the_viewer_page_shows(
    admin_browser: AdminBrowser,
) -> None:
    daemon = admin_browser.daemon
    page = admin_browser.page()
    page.goto(daemon.url + "/admin/actions/")
    box = page.locator("#field-server-external_actions-box")
    box.wait_for()
    page.locator("#field-server-external_actions-add").click()
    page.locator("#field-server-external_actions-0-url").fill("https://example.com/shop")
    page.locator("#field-server-external_actions-0-title").fill("Merch shop")
    page.locator("#field-server-external_actions-0-openExternally").check()
    box.get_by_role("button", name="Save").click()
    page.locator("#field-server-external_actions-status", has_text="Saved").wait_for(timeout=10_000)
    viewer = admin_browser.viewer()
    viewer.goto(daemon.url + "/")
    viewer.get_by_text("Merch shop").first.wait_for(timeout=10_000)
    page.context.close()
    viewer.context.close()
    assert not admin_browser.errors, admin_browser.errors

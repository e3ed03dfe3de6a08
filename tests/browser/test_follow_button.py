"""The viewer page's "Follow" button (issue 11) in a real browser: shown only while the server
is a Fediverse account, its dialog shows and copies the account, and the remote-follow form
opens the viewer's own server."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_viewer_page import browser_page  # noqa: F401
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

OPEN_STUB = "window.open = (url, target, features) => { window.__opened = [url, target]; };"


def set_config(daemon: DaemonProcess, name: str, value: object) -> None:
    response = httpx.post(
        f"{daemon.url}/api/admin/config/{name}",
        json={"value": value},
        auth=("admin", ADMIN_PASSWORD),
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_follow_button_dialog_copy_and_remote_follow(tmp_path, browser_page):  # noqa: F811
    page, errors = browser_page
    write_config(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page.goto(daemon.url + "/")
        expect(page.locator("#server-name")).not_to_have_text("Owncast", timeout=15_000)
        expect(page.get_by_role("button", name="Follow")).to_have_count(0)  # federation off

        set_config(daemon, "serverurl", daemon.url)
        set_config(daemon, "federation/enable", True)
        account = f"streamer@{daemon.url.removeprefix('http://')}"
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=daemon.url)
        page.add_init_script(OPEN_STUB)
        page.goto(daemon.url + "/")
        button = page.get_by_role("button", name="Follow", exact=True)
        expect(button).to_be_visible(timeout=15_000)
        button.click()
        dialog = page.get_by_role("dialog", name="Follow on the Fediverse")
        expect(dialog).to_be_visible()
        expect(page.locator("#follow-handle")).to_have_text(f"@{account}")
        dialog.get_by_role("button", name="Copy").click()
        expect(page.locator("#follow-status")).to_contain_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == f"@{account}"

        field = dialog.get_by_label("Your Fediverse account")
        field.fill("not an account")
        dialog.get_by_role("button", name="Follow", exact=True).click()
        expect(page.locator("#follow-status")).to_contain_text("user@server")
        field.fill("me@mastodon.example")
        field.press("Enter")  # the keyboard submits too
        expect(page.locator("#follow-status")).to_contain_text("Opening your server")
        opened = page.evaluate("window.__opened")
        assert opened[0] == (
            "https://mastodon.example/authorize_interaction?uri=%40"
            + account.replace("@", "%40").replace(":", "%3A")
        )
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()
    assert not errors, errors

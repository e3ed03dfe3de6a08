"""A real owncastd and Debian's chromium for the web admin tests (one daemon per module)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import ADMIN_PASSWORD, ROOT, DaemonProcess, write_config

ADMIN = ("admin", ADMIN_PASSWORD)
ARTIFACTS = ROOT / "test-artifacts" / "admin"
WIDTHS = {"desktop": 1280, "phone": 360}
EXPECTED_REFUSAL = re.compile(r"^Failed to load resource: .* status of (400|401|424) ")


@dataclass
class AdminBrowser:
    """The daemon and a browser logged in as the admin (HTTP Basic credentials)."""

    daemon: DaemonProcess
    browser: Any
    errors: list[str]

    def page(
        self, *, width: int = 1280, password: str = ADMIN_PASSWORD, scheme: str = "light"
    ) -> Any:
        """A fresh page whose context sends the admin's (or the given) credentials, in the
        given `prefers-color-scheme`."""
        context = self.browser.new_context(
            http_credentials={"username": "admin", "password": password},
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
        )
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        # A refused request the test provoked (400 from a setter, 401, 424 from a test
        # delivery) is logged by the browser too; anything else is an error of the page.
        if message.type == "error" and not EXPECTED_REFUSAL.search(message.text):
            self.errors.append(message.text)

    def viewer(self) -> Any:
        """A page without credentials (a viewer)."""
        page = self.browser.new_context().new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


@pytest.fixture(scope="module", name="admin_browser")
def admin_browser_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminBrowser]:
    """One daemon and one chromium for the module; console errors are collected."""
    from playwright.sync_api import sync_playwright

    data_dir: Path = tmp_path_factory.mktemp("webadmin") / "data"
    path = write_config(data_dir, latency=0)
    path.write_text(path.read_text() + "\n[chat]\nspam_protection_enabled = false\n")
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield AdminBrowser(daemon, browser, [])
            browser.close()
    finally:
        assert daemon.stop() == 0, daemon.log()


def screenshot(page: Any, name: str, kind: str) -> Path:
    """Save a full-page screenshot under test-artifacts/admin/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{kind}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

"""An Owncast bot against a real daemon, end to end: the admin makes it an access token; the bot
reads the status, subscribes a webhook (a real HTTP receiver on loopback) and gets a viewer's CHAT
event, then posts a system message with an HTML link that shows in the viewer's browser (Debian's
chromium via Playwright) as a working link."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.browser.test_chat_page import CONNECTED, chat_message, chromium, send, write_chat_config
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
__all__ = ["chromium"]

DOCS = "https://owncast.online/docs/"
BOT_MESSAGE = f'Hi from the bot! <a href="{DOCS}"><u>Read the docs</u></a>'


class WebhookSink:
    """A real webhook receiver: every POST body, parsed, lands in `events`."""

    def __init__(self) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.events.put(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """Where the webhook posts."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/owncast"

    def next_of(self, kind: str, timeout: float = 15) -> dict[str, Any]:
        """The next event of type `kind` (others are skipped)."""
        while True:
            event = self.events.get(timeout=timeout)
            if event.get("type") == kind:
                return event

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    receiver = WebhookSink()
    yield receiver
    receiver.close()


def test_a_bot_hears_chat_and_its_html_link_works_in_a_viewers_browser(tmp_path, chromium, sink):
    write_chat_config(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        admin = httpx.Client(base_url=daemon.url, auth=("admin", ADMIN_PASSWORD), timeout=10)
        created = admin.post(
            "/api/admin/accesstokens/create",
            json={"name": "Docs Bot", "scopes": ["CAN_SEND_SYSTEM_MESSAGES", "HAS_ADMIN_ACCESS"]},
        )
        assert created.status_code == 200, created.text
        bot = httpx.Client(
            base_url=daemon.url,
            headers={"Authorization": f"Bearer {created.json()['accessToken']}"},
            timeout=10,
        )
        integration_status = bot.get("/api/integrations/status")
        assert integration_status.status_code == 200, integration_status.text
        assert integration_status.json()["online"] is False
        status = bot.get("/api/status")
        assert status.status_code == 200 and status.json()["online"] is False
        hooked = admin.post(
            "/api/admin/webhooks/create", json={"url": sink.url, "events": ["CHAT"]}
        )
        assert hooked.status_code == 200, hooked.text

        viewer = chromium.user_page(daemon.url + "/")
        viewer.wait_for_selector(CONNECTED, timeout=15_000)
        send(viewer, "hello bot")
        heard = sink.next_of("CHAT")["eventData"]
        assert heard["body"] == "<p>hello bot</p>" and heard["rawBody"] == "hello bot"

        posted = bot.post("/api/integrations/chat/system", json={"body": BOT_MESSAGE})
        assert posted.status_code == 200, posted.text
        link = viewer.locator("#chat-messages [data-message-type=SYSTEM] a", has_text="Read the")
        link.wait_for(timeout=10_000)
        assert link.get_attribute("href") == DOCS
        assert link.locator("u").inner_text() == "Read the docs"
        assert link.evaluate("a => a.protocol + '//' + a.host") == "https://owncast.online"
        assert link.is_visible()
        stored = f'<p>Hi from the bot! <a href="{DOCS}"><u>Read the docs</u></a></p>\n'
        wait_for(  # Owncast's bytes, kept by the group-commit writer a moment after the send
            lambda: stored in [m["body"] for m in admin.get("/api/admin/chat/messages").json()],
            10,
            "the bot's message in the admin message list",
            daemon.log,
        )
        assert chat_message(viewer, "hello bot").count() == 1
        assert not chromium.errors, chromium.errors
    finally:
        assert daemon.stop() == 0, daemon.log()

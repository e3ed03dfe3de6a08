"""A real browser (Debian's chromium via Playwright) watches a live stream on the viewer page."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import DaemonProcess, Publisher, wait_for, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
        browser.close()


def test_page_plays_live_video_then_shows_offline(tmp_path, browser_page):
    page, errors = browser_page
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        page.goto(daemon.url + "/")
        # The name comes from /api/config after load: wait for it, don't read it at once.
        expect(page.locator("#server-name")).to_have_text("New Owncast Server", timeout=15_000)
        page.wait_for_selector("body[data-stream-state=online]", timeout=20_000)
        # The video really plays: currentTime advances.
        page.wait_for_function("document.querySelector('#player').currentTime > 1", timeout=30_000)
        first = page.evaluate("document.querySelector('#player').currentTime")
        page.wait_for_function(
            f"document.querySelector('#player').currentTime > {first + 1}", timeout=15_000
        )
        # While playing, the page counts as a viewer (playlist requests and /api/ping).
        assert daemon.status().get("viewerCount", 0) >= 1  # omitted when 0, as in Owncast
    finally:
        publisher.stop()
    try:
        page.wait_for_selector("body[data-stream-state=offline]", timeout=30_000)
        assert page.locator("#offline-banner").is_visible()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()
    assert not errors, errors


def test_embed_page_is_offline_without_a_stream(tmp_path, browser_page):
    page, errors = browser_page
    write_config(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page.goto(daemon.url + "/embed/video")
        page.wait_for_selector("body[data-stream-state=offline]", timeout=15_000)
        assert page.locator("#offline-banner").is_visible()
        assert page.locator("#player").count() == 1
    finally:
        daemon.stop()
    assert not errors, errors


def test_summary_shows_as_text_and_page_content_as_owncasts_welcome(tmp_path, browser_page):
    # /api/config sends the summary raw (as Owncast): the page must show it, never run it.
    page, errors = browser_page
    path = write_config(tmp_path)
    raw = '<b>not bold</b> <img src=x onerror="window.pwned=1"> **nor this**'
    path.write_text(path.read_text() + f"[server]\nsummary = '{raw}'\n")
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page.goto(daemon.url + "/")
        page.wait_for_selector("#summary:not([hidden])", timeout=15_000)
        assert page.locator("#summary").inner_text() == raw
        assert page.locator("#summary b, #summary img").count() == 0
        assert page.evaluate("window.pwned") is None
        assert page.locator("#extra-content h1").inner_text() == "Welcome to Owncast!"
        assert page.locator("#extra-content li").count() == 3
    finally:
        daemon.stop()
    assert not errors, errors


PLAYER = "document.querySelector('#player')"
BUFFERED_END = f"{PLAYER}.buffered.length ? {PLAYER}.buffered.end({PLAYER}.buffered.length - 1) : 0"


def media_sequence(daemon: DaemonProcess) -> int:
    text = daemon.get("/hls/0/stream.m3u8").text
    (line,) = [line for line in text.splitlines() if line.startswith("#EXT-X-MEDIA-SEQUENCE:")]
    return int(line.split(":")[1])


def test_playback_goes_on_when_the_transcoder_is_killed(tmp_path, browser_page):
    """Issue 16 §6: `kill -9` of ffmpeg mid-stream; the playing page keeps playing past
    everything it had buffered from the old ffmpeg (the restarted one's segments follow in
    the same playlist, after a discontinuity)."""
    import psutil

    page, errors = browser_page
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        page.goto(daemon.url + "/")
        page.wait_for_function(f"{PLAYER}.currentTime > 2", timeout=30_000)
        # Let the first segments slide out of the playlist window (25 × 1 s at latency 0): a
        # restarted ffmpeg then numbering from 0 again would be far behind the player.
        wait_for(lambda: media_sequence(daemon) >= 3, 60, "a sliding playlist", daemon.log)
        (ffmpeg,) = [
            child
            for child in psutil.Process(daemon.process.pid).children()
            if "pipe:0" in child.cmdline()
        ]
        ffmpeg.kill()  # SIGKILL
        buffered = page.evaluate(BUFFERED_END)
        wait_for(
            lambda: any("restarting" in line for line in daemon.lines),
            10,
            "the restart line",
            daemon.log,
        )
        # Played past the old run's last buffered frame: the new run's video is playing.
        page.wait_for_function(f"{PLAYER}.currentTime > {buffered + 4}", timeout=30_000)
        playlist = daemon.get("/hls/0/stream.m3u8").text
        assert "#EXT-X-DISCONTINUITY" in playlist, playlist
        assert media_sequence(daemon) >= 3
    finally:
        publisher.stop()
        code = daemon.stop()
    assert code == 0, daemon.log()
    assert not errors, errors


# The subscription the browser's push service would hand out; headless chromium has no push
# service, so PushManager.subscribe is replaced by one answering with these (test) keys.
FAKE_SUBSCRIPTION = {
    "endpoint": "http://127.0.0.1:9/push/viewer-1",
    "expirationTime": None,
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjha"
        "zAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}
PUSH_STUB = """
PushManager.prototype.subscribe = async function (options) {
  window.__pushOptions = { userVisibleOnly: options.userVisibleOnly,
                           keyLength: options.applicationServerKey.byteLength };
  const json = %s;
  return { endpoint: json.endpoint, toJSON: () => json };
};
"""


def test_notify_me_subscribes_the_browser_for_the_go_live_push(tmp_path, browser_page):
    import json
    import sqlite3

    page, errors = browser_page
    write_config(tmp_path)
    env = {"OWNCAST_NOTIFICATIONS_BROWSER_ALLOW_PRIVATE_ENDPOINTS": "true"}
    daemon = DaemonProcess(tmp_path, env=env).wait_ready()
    try:
        page.context.grant_permissions(["notifications"], origin=daemon.url)
        page.add_init_script(PUSH_STUB % json.dumps(FAKE_SUBSCRIPTION))
        page.goto(daemon.url + "/")
        button = page.get_by_role("button", name="Notify me")
        expect(button).to_be_visible(timeout=15_000)
        button.click()
        expect(page.locator("#notify-status")).to_have_text(
            "You'll get a notification when the stream goes live.", timeout=15_000
        )
        expect(page.locator("#notify-button")).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("window.__pushOptions") == {"userVisibleOnly": True, "keyLength": 65}
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
        assert scope == daemon.url + "/"
        with sqlite3.connect(tmp_path / "owncast.db") as db:
            rows = db.execute("SELECT channel, destination FROM notifications").fetchall()
        assert [(c, json.loads(d)) for c, d in rows] == [
            ("BROWSER_PUSH_NOTIFICATION", FAKE_SUBSCRIPTION)
        ]
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()
    assert not errors, errors

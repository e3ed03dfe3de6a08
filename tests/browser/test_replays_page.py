"""A real browser plays a past broadcast on the offline viewer page (issue 14).

The replay is made without a broadcast (ffmpeg writes a VOD HLS recording, the row is saved
through the daemon's own store code), so the test costs seconds, not a live stream."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trio

from owncastd.core.replays.models import Replay
from owncastd.core.replays.vod import master_playlist
from owncastd.store.database import Store
from owncastd.store.replays import ReplayStore
from tests.browser.test_viewer_page import browser_page  # noqa: F401
from tests.e2e.harness import FFMPEG, DaemonProcess, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

REPLAY_ID = "0123456789ab"


def make_recording(data_dir: Path) -> None:
    """A 6 s VOD recording under recordings/<id>/ and its row."""
    variant = data_dir / "recordings" / REPLAY_ID / "0"
    variant.mkdir(parents=True)
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "6",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
         "-hls_segment_filename", str(variant / "seg-%d.ts"), str(variant / "stream.m3u8")],
        check=True, timeout=60,
    )  # fmt: skip
    (variant.parent / "stream.m3u8").write_text(master_playlist([(0, 600_000)]))
    started = datetime.now(UTC) - timedelta(days=1)
    replay = Replay(
        id=REPLAY_ID,
        title="Friday jam",
        started_at=started,
        ended_at=started + timedelta(seconds=6),
        duration=6.0,
        variants=(0,),
    )

    async def save() -> None:
        store = Store(data_dir / "owncast.db")
        async with trio.open_nursery() as nursery:
            await nursery.start(store.run)
            await ReplayStore(store).save(replay)
            nursery.cancel_scope.cancel()

    trio.run(save)


def test_a_past_broadcast_plays_on_the_offline_page(tmp_path, browser_page):  # noqa: F811
    page, errors = browser_page
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    path = write_config(tmp_path)
    path.write_text(path.read_text() + "\n[replays]\npublic = true\n")
    make_recording(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page.goto(daemon.url + "/")
        page.wait_for_selector("body[data-stream-state=offline]", timeout=15_000)
        item = page.locator("#replays .replay-item")
        item.wait_for(timeout=15_000)
        assert page.locator("#replays-heading").inner_text() == "Past broadcasts"
        assert "Friday jam" in item.inner_text()
        assert item.get_attribute("aria-label").startswith("Play Friday jam")

        item.focus()
        page.keyboard.press("Enter")  # keyboard works as well as a click
        page.wait_for_selector(f"body[data-replay='{REPLAY_ID}']", timeout=5_000)
        assert page.locator("#player").is_visible()
        assert not page.locator("#offline-banner").is_visible()
        page.wait_for_function("document.querySelector('#player').currentTime > 1", timeout=20_000)
        assert page.locator("#player").get_attribute("aria-label") == "Replay: Friday jam"

        page.locator(".replay-close").click()
        page.wait_for_selector("body:not([data-replay])", timeout=5_000)
        assert page.locator("#offline-banner").is_visible()
        assert not page.locator("#player").is_visible()
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert not errors, errors
    assert not console_errors, console_errors


def test_no_list_and_no_request_while_replays_are_not_public(tmp_path, browser_page):  # noqa: F811
    page, errors = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    write_config(tmp_path)
    make_recording(tmp_path)
    daemon = DaemonProcess(tmp_path).wait_ready()
    try:
        page.goto(daemon.url + "/")
        page.wait_for_selector("body[data-stream-state=offline]", timeout=15_000)
        page.wait_for_function("document.querySelector('#server-name').textContent.length > 0")
        page.wait_for_load_state("networkidle")
        assert page.locator("#replays").count() == 0
        assert not [url for url in requests if "/api/replays" in url]
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert not errors, errors

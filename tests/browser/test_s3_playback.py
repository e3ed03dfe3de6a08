"""The viewer page in chromium plays a live stream whose segments come from the S3 bucket (moto,
with a CORS rule for GET, as a real bucket behind a page needs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_viewer_page import browser_page  # noqa: F401
from tests.e2e.harness import DaemonProcess, Publisher, write_config
from tests.s3_server import MotoS3, moto_s3  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PLAYER = "document.querySelector('#player')"


def test_page_plays_segments_from_the_bucket(
    tmp_path: Path,
    moto_s3: MotoS3,  # noqa: F811
    browser_page,  # noqa: F811
) -> None:
    page, errors = browser_page
    bucket = moto_s3.new_bucket(cors=True)
    account = moto_s3.account
    config = write_config(tmp_path, latency=0)
    config.write_text(
        config.read_text() + f'\n[s3]\nenabled = true\nendpoint = "{account.endpoint}"\n'
        f'access_key = "{account.access_key}"\nsecret = "{account.secret}"\n'
        f'bucket = "{bucket}"\nregion = "{account.region}"\nacl = "public-read"\n'
        'force_path_style = true\npath_prefix = "web"\n'
    )
    base = f"{account.endpoint}/{bucket}/web/hls/0/"
    from_bucket: list[int] = []
    page.on(
        "response",
        lambda r: from_bucket.append(r.status) if r.url.startswith(base) else None,
    )
    with moto_s3.anonymous_reads():
        daemon = DaemonProcess(tmp_path).wait_ready()
        publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=15)
        try:
            daemon.wait_online()
            page.goto(daemon.url + "/")
            page.wait_for_selector("body[data-stream-state=online]", timeout=20_000)
            page.wait_for_function(f"{PLAYER}.currentTime > 1", timeout=30_000)
            first = page.evaluate(f"{PLAYER}.currentTime")
            page.wait_for_function(f"{PLAYER}.currentTime > {first + 2}", timeout=20_000)
        finally:
            publisher.stop()
            code = daemon.stop()
    assert code == 0, daemon.log()
    assert from_bucket and set(from_bucket) == {200}, from_bucket
    assert not errors, errors

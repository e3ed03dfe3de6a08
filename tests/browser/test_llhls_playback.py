"""LL-HLS end to end (issue 13), in one run to keep the suite lean: a real daemon with
`[video] low_latency = true`, ffmpeg pushing over RTMP; the LL-HLS playlists parse strictly,
init + parts and init + a segment decode with ffprobe, a blocking reload for the hinted part
returns once it lands, the classic TS playlist still works, and hls.js in chromium plays the
LL-HLS playlist (glass-to-glass latency is measured by bench/latency.py, not here)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import m3u8
import pytest
from m3u8 import parser as m3u8_parser

from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import FFPROBE, DaemonProcess, Publisher, wait_for, write_config

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

VARIANT = "[[video.variants]]\nvideo_bitrate = 800\nframerate = 30\ncpu_usage_level = 0\n"


def low_latency_daemon(data_dir: Path) -> DaemonProcess:
    config = write_config(data_dir, latency=0, variants=[VARIANT])
    config.write_text(config.read_text().replace("[video]\n", "[video]\nlow_latency = true\n"))
    return DaemonProcess(data_dir).wait_ready()


def decoded_frames(path: Path) -> int:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    return int(out.split()[0].strip(","))


def check_playlists_and_media(daemon: DaemonProcess, tmp_path: Path) -> None:
    master = daemon.get("/hls/ll/stream.m3u8")
    assert master.status_code == 200, daemon.log()
    m3u8_parser.parse(master.text, strict=True)
    (variant,) = m3u8.loads(master.text).playlists
    classic = m3u8.loads(daemon.get("/hls/stream.m3u8").text).playlists[0].stream_info
    assert variant.stream_info.codecs == classic.codecs  # ffmpeg's own HLS muxer agrees
    assert variant.stream_info.resolution == (640, 360)

    def two_segments() -> m3u8.M3U8 | None:
        playlist = m3u8.loads(daemon.get("/hls/ll/0/stream.m3u8").text)
        return playlist if sum(1 for s in playlist.segments if s.uri) >= 2 else None

    playlist = wait_for(two_segments, 20, "two complete LL-HLS segments", daemon.log)
    assert isinstance(playlist, m3u8.M3U8)
    m3u8_parser.parse(playlist.dumps(), strict=True)
    init = daemon.get("/hls/ll/0/init.mp4").content
    segment = next(s for s in playlist.segments if s.uri and s.parts)
    whole = tmp_path / "segment.mp4"
    whole.write_bytes(init + daemon.get(f"/hls/ll/0/{segment.uri}").content)
    parts = tmp_path / "parts.mp4"
    parts.write_bytes(
        init + b"".join(daemon.get(f"/hls/ll/0/{p.uri}").content for p in segment.parts[:2])
    )
    assert segment.parts[0].independent == "YES"
    assert decoded_frames(whole) == 30  # a 1 s segment at 30 fps (latency level 0)
    assert 0 < decoded_frames(parts) < 30


def check_blocking_reload(daemon: DaemonProcess) -> None:
    with httpx.Client(base_url=daemon.url, timeout=10) as client:
        playlist = m3u8.loads(client.get("/hls/ll/0/stream.m3u8").text)
        msn, part = playlist.preload_hint.uri.removesuffix(".m4s").split(".")
        started = time.monotonic()
        response = client.get(f"/hls/ll/0/stream.m3u8?_HLS_msn={msn}&_HLS_part={part}")
        held = time.monotonic() - started
        assert response.status_code == 200
        assert f'URI="{msn}.{part}.m4s"' in response.text or f"{msn}.m4s" in response.text
        assert held < 1.5  # one part (~0.2 s) away, plus the encoder's pace
        hinted = m3u8.loads(response.text).preload_hint.uri
        part_response = client.get(f"/hls/ll/0/{hinted}")  # held until it exists
        assert part_response.status_code in (200, 404)  # 404: a new segment came instead
        assert client.get(f"/hls/ll/0/stream.m3u8?_HLS_msn={int(msn) + 5}").status_code == 400


def check_classic_output(daemon: DaemonProcess, tmp_path: Path) -> None:
    classic = daemon.get("/hls/0/stream.m3u8").text
    ts = [line for line in classic.splitlines() if line.endswith(".ts")]
    assert ts, classic
    segment = tmp_path / "classic.ts"
    segment.write_bytes(daemon.get(f"/hls/0/{ts[-1]}").content)
    assert decoded_frames(segment) > 0


def test_ll_hls_plays_alongside_the_classic_stream(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    daemon = low_latency_daemon(tmp_path / "data")
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        check_playlists_and_media(daemon, tmp_path)
        check_blocking_reload(daemon)
        check_classic_output(daemon, tmp_path)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(daemon.url + "/")
            page.wait_for_function(
                "document.querySelector('#player').currentTime > 2", timeout=30_000
            )
            first = page.evaluate("document.querySelector('#player').currentTime")
            page.wait_for_function(
                f"document.querySelector('#player').currentTime > {first + 1}", timeout=15_000
            )
            browser.close()
        hls = [url for url in requests if "/hls/" in url]
        assert any("/hls/ll/0/stream.m3u8?_HLS_msn=" in url for url in hls), (hls[:30], errors)
        assert any(url.endswith(".m4s") for url in requests)
        assert not any(url.endswith(".ts") for url in requests)  # not the classic playlist
        assert not errors, errors
    finally:
        publisher.stop()
        code = daemon.stop()
    assert code == 0, daemon.log()

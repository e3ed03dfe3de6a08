"""End to end: a real broadcast becomes a replay (issue 14).

One daemon, two broadcasts: the first ends normally (its VOD playlist ffprobes to the pushed
duration, the public routes serve it, the MP4 export decodes, a clip of it has the length
asked for); during the second a viewer clips the last seconds of live, then the daemon is
killed with SIGKILL, and the restarted daemon closes that recording so it plays.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import (
    ADMIN_PASSWORD,
    FFMPEG,
    FFPROBE,
    DaemonProcess,
    Publisher,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.e2e

PUSHED_SECONDS = int(os.environ.get("REPLAY_PUSH_SECONDS", "20"))  # the issue: 60
CONFIG = (
    "[[video.variants]]\nvideo_passthrough = true\n\n[replays]\npublic = true\nmin_free_mb = 1\n"
)
ADMIN = ("admin", ADMIN_PASSWORD)


def probed_duration(source: str) -> float:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "json", source],
        capture_output=True, check=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    return float(json.loads(out)["format"]["duration"])


def decode_errors(source: str) -> str:
    result = subprocess.run(
        [FFMPEG, "-v", "error", "-i", source, "-f", "null", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


def admin_replays(daemon: DaemonProcess) -> dict:
    response = daemon.get("/api/admin/replays", auth=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


def finished(daemon: DaemonProcess) -> list[dict]:
    return [r for r in admin_replays(daemon)["replays"] if not r["recording"]]


def test_a_broadcast_becomes_a_replay_that_survives_a_kill(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_config(data_dir, latency=0, variants=(CONFIG,))
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=30, seconds=PUSHED_SECONDS)
        assert publisher.wait(timeout=PUSHED_SECONDS + 30) == 0, publisher.stderr()
        (replay,) = wait_for(lambda: finished(daemon), 40, "a finished replay", daemon.log)
        assert abs(replay["duration"] - PUSHED_SECONDS) < 3, replay

        listed = daemon.get("/api/replays").json()
        assert [r["id"] for r in listed] == [replay["id"]]
        playlist_url = daemon.url + listed[0]["playlistUrl"]
        assert abs(probed_duration(playlist_url) - PUSHED_SECONDS) < 3
        variant = daemon.get(f"/replays/{replay['id']}/0/stream.m3u8")
        assert variant.headers["content-type"].startswith("application/x-mpegURL")
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in variant.text
        assert variant.text.rstrip().endswith("#EXT-X-ENDLIST")

        exported = httpx.post(
            f"{daemon.url}/api/admin/replays/{replay['id']}/export", auth=ADMIN, timeout=60
        )
        assert exported.status_code == 200, exported.text
        download = daemon.url + exported.json()["downloadUrl"]
        assert abs(probed_duration(download) - PUSHED_SECONDS) < 3
        assert decode_errors(download) == ""

        clip = httpx.post(
            f"{daemon.url}/api/replays/{replay['id']}/clip",
            json={"start": 5, "duration": 4},
            timeout=60,
        )
        assert clip.status_code == 200, clip.text
        assert abs(probed_duration(daemon.url + clip.json()["url"]) - 4) < 1.5

        # The second broadcast: killed mid-way.
        live = Publisher(daemon.rtmp_url(), size="320x180", rate=30)
        try:
            recording = wait_for(
                lambda: admin_replays(daemon)["recording"], 40, "a recording", daemon.log
            )
            playlist = data_dir / "recordings" / str(recording) / "0" / "stream.m3u8"
            wait_for(lambda: playlist.read_text().count("#EXTINF") >= 4, 40, "segments", daemon.log)
            live_clip = httpx.post(
                f"{daemon.url}/api/replays/live/clip", json={"duration": 3}, timeout=60
            )
            assert live_clip.status_code == 200, live_clip.text
            assert live_clip.json()["url"].startswith(f"/replays/{recording}/clips/")
            assert abs(probed_duration(daemon.url + live_clip.json()["url"]) - 3) < 1.5
            daemon.process.send_signal(signal.SIGKILL)
            daemon.process.wait(10)
        finally:
            live.stop()
        assert "#EXT-X-ENDLIST" not in playlist.read_text()
    finally:
        daemon.stop()

    restarted = DaemonProcess(data_dir).wait_ready()
    try:
        survivor = next(r for r in finished(restarted) if r["id"] == recording)
        assert survivor["duration"] >= 3, survivor
        text = playlist.read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
        assert probed_duration(str(playlist)) >= 3
        assert decode_errors(str(playlist)) == ""
        assert any("recording closed after a crash" in line for line in restarted.lines)
    finally:
        assert restarted.stop() == 0, restarted.log()

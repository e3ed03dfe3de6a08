"""End to end: the ffmpeg binary disappears while the daemon runs. Publishing then makes the
transcoder fail to start; the daemon stays up, disconnects that publisher and streams again
once ffmpeg is back."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.harness import FFMPEG, DaemonProcess, Publisher, wait_for, write_config

pytestmark = pytest.mark.e2e


def test_a_removed_ffmpeg_disconnects_the_publisher_and_the_daemon_lives(tmp_path):
    ffmpeg = tmp_path / "bin" / "ffmpeg"
    ffmpeg.parent.mkdir()
    shutil.copy2(FFMPEG, ffmpeg)
    data_dir = tmp_path / "data"
    write_config(data_dir)
    daemon = DaemonProcess(data_dir, env={"OWNCAST_FFMPEG": str(ffmpeg)}).wait_ready()
    try:
        ffmpeg.unlink()
        publisher = Publisher(daemon.rtmp_url())
        try:
            publisher.wait(timeout=30)  # the daemon closes the connection
        finally:
            publisher.stop()
        assert daemon.get("/api/status").status_code == 200
        assert daemon.process.poll() is None, daemon.log()
        failing = wait_for(
            lambda: [line for line in daemon.lines if "keeps failing" in line],
            10,
            "the keeps-failing line",
            daemon.log,
        )
        assert "ERROR" in failing[0], daemon.log()

        shutil.copy2(FFMPEG, ffmpeg)
        publisher = Publisher(daemon.rtmp_url())
        try:
            daemon.wait_online(timeout=60)
        finally:
            publisher.stop()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()

"""The admin API on a real daemon: Owncast-default startup, config changes that survive a restart
with the file's comments intact, video settings on the next stream, and force-quit."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import bcrypt
import httpx
import pytest

from tests.e2e.harness import OWNCASTD, DaemonProcess, Publisher, wait_for

pytestmark = pytest.mark.e2e

AUTH = ("admin", "abc123")
VARIANT = {
    "name": "e2e-low",
    "videoPassthrough": False,
    "audioPassthrough": True,
    "videoBitrate": 600,
    "audioBitrate": 0,
    "scaledWidth": 0,
    "scaledHeight": 240,
    "framerate": 15,
    "cpuUsageLevel": 0,
}
CHANGES = {
    "name": "E2E Server",
    "streamtitle": "Round trip",
    "tags": ["e2e", "test"],
    "socialhandles": [{"platform": "mastodon", "url": "https://social.example/@e2e"}],
    "chat/disable": True,
    "welcomemessage": "Hello e2e",
    "appearance": {"--theme-color-palette-0": "#123456"},
    "video/streamlatencylevel": 0,
    "video/streamoutputvariants": [VARIANT],
    "streamkeys": [{"key": "abc123", "comment": "Default stream key"}, {"key": "second-key"}],
}


def init_compat(data_dir: Path) -> Path:
    """`owncastd init --owncast-defaults` (the README's conformance-suite startup)."""
    result = subprocess.run(
        [str(OWNCASTD), "--data-dir", str(data_dir), "init", "--owncast-defaults"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "abc123" in result.stdout
    return data_dir / "owncast.toml"


def comment_lines(path: Path) -> list[str]:
    text = path.read_text()
    text = re.sub(r'"""[\s\S]*?"""', '""', text)  # markdown inside strings is not a comment
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def admin_post(daemon: DaemonProcess, name: str, value) -> httpx.Response:
    return httpx.post(
        f"{daemon.url}/api/admin/config/{name}", json={"value": value}, auth=AUTH, timeout=10
    )


def serverconfig(daemon: DaemonProcess) -> dict:
    response = daemon.get("/api/admin/serverconfig", auth=AUTH)
    assert response.status_code == 200, daemon.log()
    return response.json()


def test_owncast_defaults_changes_survive_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    config_path = init_compat(data_dir)
    comments_before = comment_lines(config_path)
    daemon = DaemonProcess(data_dir, extra_args=["--webserverip", "127.0.0.1"]).wait_ready()
    try:
        config = serverconfig(daemon)
        assert config["streamKeys"] == [{"key": "abc123", "comment": "Default stream key"}]
        assert bcrypt.checkpw(b"abc123", config["adminPassword"].encode())
        assert config["instanceDetails"]["name"] == "New Owncast Server"
        assert config["instanceDetails"]["tags"] == ["owncast", "streaming"]
        assert daemon.get("/api/admin/serverconfig", auth=("admin", "nope")).status_code == 401
        for name, value in CHANGES.items():
            response = admin_post(daemon, name, value)
            assert response.status_code == 200, (name, response.text, daemon.log())
        bad = admin_post(daemon, "video/streamlatencylevel", 9)
        assert bad.status_code == 400 and bad.json()["success"] is False
        username = admin_post(daemon, "federation/username", "e2e")  # federation: issue 11
        assert username.status_code == 200, username.text
        assert serverconfig(daemon)["federation"]["username"] == "e2e"
        assert daemon.get("/api/config").json()["name"] == "E2E Server"
        quit_response = daemon.get("/api/admin/update/forcequit", auth=AUTH)
        assert quit_response.json() == {"success": True, "message": "shutting down"}
        assert daemon.process.wait(20) == 0, daemon.log()
    finally:
        daemon.stop()
    assert "stopping at the admin's request" in daemon.log()
    assert comment_lines(config_path) == comments_before
    on_disk = tomllib.loads(config_path.read_text())
    assert on_disk["server"]["name"] == "E2E Server"
    assert on_disk["video"]["latency_level"] == 0
    assert on_disk["video"]["variants"][0]["name"] == "e2e-low"

    again = DaemonProcess(data_dir).wait_ready()
    try:
        config = serverconfig(again)
        details = config["instanceDetails"]
        assert details["name"] == "E2E Server"
        assert details["streamTitle"] == "Round trip"
        assert details["tags"] == ["e2e", "test"]
        assert details["socialHandles"] == CHANGES["socialhandles"]
        assert details["appearanceVariables"] == CHANGES["appearance"]
        assert config["chatDisabled"] is True
        assert details["welcomeMessage"] == "Hello e2e"
        assert config["federation"]["username"] == "e2e"  # kept across the restart
        assert config["videoSettings"] == {"latencyLevel": 0, "videoQualityVariants": [VARIANT]}
        assert config["streamKeys"] == [
            {"key": "abc123", "comment": "Default stream key"},
            {"key": "second-key", "comment": ""},
        ]
        assert again.get("/api/config").json()["chatDisabled"] is True
    finally:
        assert again.stop() == 0, again.log()


def test_video_settings_set_over_the_api_apply_to_the_next_stream(tmp_path):
    data_dir = tmp_path / "data"
    init_compat(data_dir)
    daemon = DaemonProcess(data_dir, extra_args=["--webserverip", "127.0.0.1"]).wait_ready()
    publisher = None
    try:
        assert admin_post(daemon, "video/streamlatencylevel", 0).status_code == 200
        assert admin_post(daemon, "video/streamoutputvariants", [VARIANT]).status_code == 200
        assert admin_post(daemon, "streamkeys", [{"key": "api-key"}]).status_code == 200
        publisher = Publisher(daemon.rtmp_url("api-key"), size="320x240", rate=15)
        daemon.wait_online()
        variants = daemon.get("/api/video/variants").json()
        assert variants == [{"index": 0, "name": "e2e-low"}]

        def playlist() -> str:
            response = daemon.get("/hls/0/stream.m3u8")
            return response.text if response.status_code == 200 else ""

        text = wait_for(lambda: playlist() or None, 20, "variant playlist", daemon.log)
        assert "#EXT-X-TARGETDURATION:1" in str(text) or "#EXT-X-TARGETDURATION:2" in str(text)
        status = daemon.get("/api/admin/status", auth=AUTH).json()
        assert status["currentBroadcast"]["latencyLevel"] == 0
        disconnect = daemon.get("/api/admin/disconnect", auth=AUTH)
        assert disconnect.status_code == 200, disconnect.text
        daemon.wait_online(False)
    finally:
        if publisher is not None:
            publisher.stop()
        assert daemon.stop() == 0, daemon.log()

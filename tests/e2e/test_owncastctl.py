"""End to end: the real `owncastctl` binary against a real owncastd (and the TUI under tmux).

login → status → config set → tokens create → chat tail -f sees a message sent by a websocket
client; the dashboard in an 80×24 tmux pane shows a live test stream and a chat message.
Parts whose daemon routes have not landed yet skip with the missing route named.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, Publisher, wait_for, write_config

pytestmark = pytest.mark.e2e
OWNCASTCTL = Path(sys.executable).parent / "owncastctl"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ctl-data")
    write_config(data_dir, latency=0)
    process = DaemonProcess(data_dir).wait_ready()
    yield process
    code = process.stop()
    assert code == 0, f"owncastd exited with {code}\n{process.log()}"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """owncastctl's config directory (credentials) for this module."""
    return tmp_path_factory.mktemp("ctl-home")


def ctl(home: Path, *args: str, stdin: str = "", env: dict | None = None, timeout: float = 30):
    """Run owncastctl with only its own environment (no OWNCAST_* from the test runner)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("OWNCAST_")}
    base.update(XDG_CONFIG_HOME=str(home), NO_COLOR="1", **(env or {}))
    return subprocess.run(
        [str(OWNCASTCTL), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        timeout=timeout,
        cwd=home,
    )


def route_exists(daemon: DaemonProcess, path: str) -> bool:
    return daemon.get(path, auth=("admin", ADMIN_PASSWORD)).status_code != 404


def require(daemon: DaemonProcess, path: str) -> None:
    if not route_exists(daemon, path):
        pytest.skip(f"owncastd does not serve {path} yet")


class ChatClient:
    """A viewer in chat: registered over HTTP, talking over /ws (use as a context manager)."""

    def __init__(self, daemon: DaemonProcess, name: str) -> None:
        answer = httpx.post(daemon.url + "/api/chat/register", json={"displayName": name}).json()
        self.url = (
            daemon.url.replace("http://", "ws://") + "/ws?accessToken=" + answer["accessToken"]
        )

    def __enter__(self) -> ChatClient:
        self.socket = connect(self.url).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.socket.__exit__(*exc)

    def say(self, body: str) -> None:
        self.socket.send(json.dumps({"type": "CHAT", "body": body}))


def test_login_status_config_set(daemon, home):
    refused = ctl(home, "login", daemon.url, stdin="not-the-password\n")
    assert refused.returncode == 1 and "refused the admin password" in refused.stderr
    login = ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    assert f"logged in to {daemon.url}" in login.stdout
    if "credentials.json" in login.stdout:
        path = home / "owncastctl" / "credentials.json"
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    # no URL and no password given from here on: the login provides both
    status = ctl(home, "status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["status"]["online"] is False and data["warnings"] == []
    human = ctl(home, "status")
    assert "offline" in human.stdout and daemon.url in human.stdout
    assert ctl(home, "config", "set", "server.name", "Terminal-made name").returncode == 0
    got = ctl(home, "config", "get", "server.name")
    assert got.stdout.strip() == "Terminal-made name"
    on_disk = tomllib.loads((daemon.data_dir / "owncast.toml").read_text())
    assert on_disk["server"]["name"] == "Terminal-made name"
    assert ctl(home, "config", "set", "video.latency", "1").returncode == 0
    assert json.loads(ctl(home, "config", "show", "--json").stdout)["video.latency_level"] == 1
    bad = ctl(home, "config", "set", "video.latency", "9")
    assert bad.returncode == 2 and "must be 0..4 (got 9)" in bad.stderr


def test_config_reload_and_daemon_health(daemon, home):
    require(daemon, "/api/admin/daemon")
    ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
    reload = ctl(home, "config", "reload")
    assert reload.returncode == 0, reload.stderr
    status = json.loads(ctl(home, "status", "--json").stdout)
    assert status["daemon"]["status"] in ("ok", "degraded")


def test_tokens_create_and_chat_send(daemon, home):
    require(daemon, "/api/admin/accesstokens")
    ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
    created = ctl(home, "tokens", "create", "e2e-bot", "--scope", "CAN_SEND_MESSAGES", "--json")
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["accessToken"]
    listed = json.loads(ctl(home, "tokens", "list", "--json").stdout)
    assert any(t.get("accessToken") == token for t in listed)
    sent = ctl(home, "chat", "send", "Hello from the terminal")
    assert sent.returncode == 0, sent.stderr
    assert ctl(home, "tokens", "delete", "e2e-bot").returncode == 0


def test_chat_tail_follow_sees_a_websocket_message(daemon, home):
    ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNCAST_")}
    env.update(XDG_CONFIG_HOME=str(home), NO_COLOR="1")
    tail = subprocess.Popen(
        [str(OWNCASTCTL), "chat", "tail", "-f", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=home,
    )
    try:
        # owncastctl's chat user ("terminal") is connected once it shows among the clients
        def tail_connected() -> bool:
            clients = daemon.get("/api/admin/chat/clients", auth=("admin", ADMIN_PASSWORD)).json()
            return any((c.get("user") or {}).get("displayName") == "terminal" for c in clients)

        wait_for(tail_connected, 20, "owncastctl chat tail to connect", daemon.log)
        with ChatClient(daemon, "e2eviewer") as viewer:
            viewer.say("a message over the **websocket**")
            line = wait_for(lambda: tail.stdout.readline(), 20, "a chat line", daemon.log)
            event = json.loads(str(line))
            while "websocket" not in json.dumps(event):
                event = json.loads(tail.stdout.readline())
        assert event["type"] == "CHAT" and event["user"]["displayName"].startswith("e2eviewer")
        assert "<strong>websocket</strong>" in event["body"]
    finally:
        tail.terminate()
        tail.wait(10)
    history = ctl(home, "chat", "tail", "--ids")
    assert "a message over the websocket" in history.stdout


def test_unreachable_daemon_exit_3(home):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = ctl(
        home, "--url", f"http://127.0.0.1:{port}", "status", env={"OWNCAST_ADMIN_PASSWORD": "x"}
    )
    assert result.returncode == 3
    assert f"cannot reach owncastd at http://127.0.0.1:{port}" in result.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tui_under_tmux_shows_a_live_stream_and_chat(daemon, home, tmp_path):
    publisher = Publisher(daemon.rtmp_url())
    session = f"owncastctl-e2e-{os.getpid()}"
    socket_path = tmp_path / "tmux.sock"  # a private tmux server: never touches the user's
    tmux = ["tmux", "-S", str(socket_path)]

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout

    try:
        daemon.wait_online()
        command = (
            f"env -u OWNCAST_URL XDG_CONFIG_HOME={home} OWNCAST_ADMIN_PASSWORD={ADMIN_PASSWORD} "
            f"{OWNCASTCTL} --url {daemon.url} tui"
        )
        subprocess.run(
            [*tmux, "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command],
            check=True,
        )
        wait_for(lambda: "LIVE" in screen() and "CPU" in screen(), 30, "the dashboard", screen)
        with ChatClient(daemon, "tuiviewer") as viewer:
            viewer.say("hello dashboard")
            wait_for(lambda: "hello dashboard" in screen(), 20, "the chat line", screen)
        text = screen()
        assert "Chat" in text and "Hardware" in text and "Audience" in text
        assert "fps" in text  # the broadcaster's stream details in the header
        assert len(text.splitlines()) <= 24 and max(map(len, text.splitlines())) <= 80
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        wait_for(
            lambda: (
                subprocess.run(
                    [*tmux, "has-session", "-t", session], capture_output=True
                ).returncode
                != 0
            ),
            10,
            "the dashboard to quit",
            screen,
        )
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        publisher.stop()

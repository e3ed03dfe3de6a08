"""End to end: the real `owncastctl` binary against a real owncastd (and the TUI under tmux).

login → status → config set → tokens create → chat tail -f sees a message sent by a websocket
client; the dashboard in an 80×24 tmux pane shows a live test stream and a chat message.
Parts whose daemon routes have not landed yet skip with the missing route named. Tokens:
integration calls with a created token, refused once deleted; webhooks: create, test and a
real delivery to a loopback receiver, with the signature checked.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
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
    ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
    created = ctl(home, "tokens", "create", "e2e-bot", "--scope", "CAN_SEND_MESSAGES", "--json")
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["accessToken"]
    listed = json.loads(ctl(home, "tokens", "list", "--json").stdout)
    # owncastd lists a token by its digest; the token itself was shown once, at creation
    digest = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    assert [t["accessToken"] for t in listed if t["displayName"] == "e2e-bot"] == [digest]
    assert not any(t.get("accessToken") == token for t in listed)
    bearer = {"Authorization": f"Bearer {token}"}
    said = httpx.post(
        daemon.url + "/api/integrations/chat/send", json={"body": "bot says hi"}, headers=bearer
    )
    assert said.status_code == 200, said.text
    sent = ctl(home, "chat", "send", "Hello from the terminal")
    assert sent.returncode == 0, sent.stderr
    again = ctl(home, "chat", "send", "Hello again")
    assert again.returncode == 0, again.stderr
    listed = json.loads(ctl(home, "tokens", "list", "--json").stdout)
    assert [t["displayName"] for t in listed].count("owncastctl") == 1  # kept and reused
    messages = daemon.get("/api/admin/chat/messages", auth=("admin", ADMIN_PASSWORD)).json()
    bodies = {m["body"]: m for m in messages}
    assert "Hello from the terminal" in " ".join(bodies)
    assert bodies["<p>bot says hi</p>"]["user"]["isBot"] is True
    assert ctl(home, "tokens", "delete", "e2e-bot").returncode == 0
    refused = httpx.post(
        daemon.url + "/api/integrations/chat/send", json={"body": "again"}, headers=bearer
    )
    assert refused.status_code == 401


class _Receiver(http.server.BaseHTTPRequestHandler):
    """Records webhook POSTs on the server object (`server.received`)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.put(({k.lower(): v for k, v in self.headers.items()}, body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhooks_create_test_and_deliver(daemon, home):
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    receiver.received = queue.Queue()  # type: ignore[attr-defined]
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_port}/hook"
    try:
        ctl(home, "login", daemon.url, stdin=ADMIN_PASSWORD + "\n")
        refused = ctl(home, "webhooks", "create", "file:///etc/passwd", "-e", "CHAT")
        assert refused.returncode != 0
        made = ctl(home, "webhooks", "create", url, "-e", "STREAM_TITLE_UPDATED", "--json")
        assert made.returncode == 0, made.stderr
        hook = json.loads(made.stdout)
        tested = ctl(home, "webhooks", "test", str(hook["id"]))
        assert tested.returncode == 0, tested.stderr
        assert "answered 204" in tested.stdout
        headers, body = receiver.received.get(timeout=10)  # type: ignore[attr-defined]
        stamp, _, digest = headers["owncast-signature"].partition(".s=")
        expected = hmac.new(
            hook["secret"].encode(), stamp.removeprefix("t=").encode() + b"." + body, "sha256"
        )
        assert digest == expected.hexdigest()
        assert ctl(home, "config", "set", "server.stream_title", "Hooked").returncode == 0
        _, body = receiver.received.get(timeout=10)  # type: ignore[attr-defined]
        event = json.loads(body)
        assert event["type"] == "STREAM_TITLE_UPDATED"
        assert event["eventData"]["streamTitle"] == "Hooked"
        listed = json.loads(ctl(home, "webhooks", "list", "--json").stdout)
        assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["lastUsed"]
        assert ctl(home, "webhooks", "delete", str(hook["id"]), "--yes").returncode == 0
        assert json.loads(ctl(home, "webhooks", "list", "--json").stdout) == []
    finally:
        receiver.shutdown()
        receiver.server_close()


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

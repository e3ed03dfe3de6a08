"""Small things found by trying owncastctl: a closed port is exit 3 even with no password known,
`config set` says when the change applies, and `chat tail` shows server notices' text."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from owncastctl.cli import app
from owncastctl.errors import EXIT_UNREACHABLE, EXIT_USAGE
from owncastctl.state import State
from tests.ctl.conftest import MESSAGES

OK = {"success": True, "message": "changed"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [["status"], ["config", "get", "server.name"], ["chat", "tail"], ["users", "list"], ["tui"]],
)
def test_closed_port_is_exit_3_even_without_a_password(tmp_path: Path, args: list[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    state = State(  # a real socket: no transport injected, no password anywhere
        environ={"XDG_CONFIG_HOME": str(tmp_path / "config")}, keyring_backend=None, cwd=tmp_path
    )
    result = CliRunner().invoke(app, ["--url", url, *args], obj=state)
    assert result.exit_code == EXIT_UNREACHABLE, result.stderr
    assert f"cannot reach owncastd at {url} (from --url)" in result.stderr
    assert "no admin password" not in result.stderr


def test_login_to_a_closed_port_is_exit_3_before_asking_for_the_password(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    state = State(environ={"XDG_CONFIG_HOME": str(tmp_path / "config")}, keyring_backend=None)
    result = CliRunner().invoke(app, ["login", url], obj=state, input="")  # nobody types
    assert result.exit_code == EXIT_UNREACHABLE, result.stderr
    assert f"cannot reach owncastd at {url} (from login)" in result.stderr


def test_a_reachable_daemon_without_a_password_still_asks_for_one(fake, ctl) -> None:
    result = ctl("config", "get", "server.name", password=None)
    assert result.exit_code == EXIT_USAGE and "no admin password" in result.stderr
    assert not [r for r in fake.requests if r.headers.get("authorization")]


@pytest.mark.parametrize(
    ("args", "setter", "when"),
    [
        (["server.name", "Jam"], "name", "applies now"),
        (["video.latency_level", "1"], "video/streamlatencylevel", "applies from the next stream"),
        (["rtmp.port", "1936"], "rtmpserverport", "applies after a restart of owncastd"),
    ],
)
def test_config_set_says_when_the_change_applies(fake, ctl, args, setter, when) -> None:
    fake.route("POST", f"/api/admin/config/{setter}", OK)
    result = ctl("config", "set", *args)
    assert result.exit_code == 0, result.stderr
    assert f"{args[0]} set ({when})" in result.stdout


def test_config_keys_shows_when_each_change_applies(ctl) -> None:
    out = ctl("config", "keys").stdout
    assert "(next stream)" in out and "(restart)" in out


SYSTEM_HISTORY = [  # as /api/admin/chat/messages lists stored notices: no `user`
    {
        "type": "SYSTEM",
        "id": "s2",
        "timestamp": "2024-05-01T12:03:00Z",
        "body": "<p>Owncast <em>form</em></p>\n",
        "visible": True,
    },
    {
        "type": "CHAT_ACTION",
        "id": "a1",
        "timestamp": "2024-05-01T12:02:30Z",
        "body": "<p>bob is now a moderator</p>\n",
        "visible": True,
    },
    {
        "type": "SYSTEM",
        "id": "s1",
        "timestamp": "2024-05-01T12:02:00Z",
        "body": "<p>old form</p>",
        "visible": True,
    },
    *MESSAGES,
]


def test_chat_tail_shows_notices_text_in_old_and_new_body_forms(fake, ctl) -> None:
    fake.route("GET", "/api/admin/chat/messages", SYSTEM_HISTORY)
    result = ctl("chat", "tail")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()[-3:]
    assert lines[0].endswith("★ old form"), lines
    assert lines[1].endswith("* bob is now a moderator"), lines
    assert lines[2].endswith("★ Owncast form"), lines
    assert "?" not in result.stdout and "<" not in result.stdout


def test_chat_tail_keeps_words_apart_across_paragraphs_and_line_breaks(fake, ctl) -> None:
    welcome = {  # a multi-paragraph welcome message, as Owncast renders markdown
        "type": "SYSTEM",
        "id": "s9",
        "timestamp": "2024-05-01T12:05:00Z",
        "body": "<p>Welcome!</p><p>Be <em>nice</em><br>and have fun</p>\n",
        "visible": True,
    }
    fake.route("GET", "/api/admin/chat/messages", [welcome])
    result = ctl("chat", "tail")
    assert result.stdout.strip().endswith("★ Welcome! Be nice and have fun"), result.stdout


def test_python_dash_m_owncastctl_runs_the_cli() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "owncastctl", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "owncastctl" in done.stdout
    assert "config" in done.stdout

"""`chat tail -f` over a fake websocket (reconnects, dedupe, re-registration) and `logs -f`."""

from __future__ import annotations

import json

import pytest

from owncastctl.chatws import split_frame, ws_url
from tests.ctl.conftest import LOGS, MESSAGES, URL


class FakeSocket:
    def __init__(self, frames):
        self.frames = frames

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        yield from self.frames


class Connector:
    """Each connect() plays the next script: a list of frames, or an exception to raise."""

    def __init__(self, *scripts):
        self.scripts = list(scripts)
        self.urls = []

    def __call__(self, url, open_timeout):
        self.urls.append(url)
        script = self.scripts.pop(0)
        if isinstance(script, BaseException):
            raise script
        return FakeSocket(script)


def frame(*events):
    return "\n".join(json.dumps(e) for e in events)


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr("owncastctl.commands.chat.time.sleep", slept.append)
    monkeypatch.setattr("owncastctl.commands.misc.time.sleep", slept.append)
    return slept


def test_ws_url_and_frame_splitting():
    assert ws_url("http://h:8080", "a b") == "ws://h:8080/ws?accessToken=a+b"
    assert ws_url("https://h/owncast", "t") == "wss://h/owncast/ws?accessToken=t"
    events = split_frame('{"type":"CHAT","id":"1"}\n\nnot json\n[1]\n{"type":"SYSTEM"}')
    assert [e["type"] for e in events] == ["CHAT", "SYSTEM"]


def test_chat_tail_follow_prints_live_events_and_reconnects(fake, ctl, no_sleep):
    registrations = []

    def register(request):
        registrations.append(json.loads(request.content))
        return {
            "id": "me",
            "accessToken": f"chat-token-{len(registrations)}",
            "displayName": "owncastctl",
        }

    fake.route("POST", "/api/chat/register", register)
    fake.route("GET", "/api/admin/chat/messages", MESSAGES)
    live = {
        "type": "CHAT",
        "id": "m3",
        "timestamp": "2024-05-01T12:05:00Z",
        "user": MESSAGES[1]["user"],
        "body": "<p>live one</p>",
        "visible": True,
    }
    joined = {
        "type": "USER_JOINED",
        "id": "j1",
        "timestamp": "2024-05-01T12:05:01Z",
        "user": {"displayName": "carol", "displayColor": 1},
    }
    connector = Connector(
        [
            frame({"type": "CONNECTED_USER_INFO", "user": {"displayName": "owncastctl"}}),
            frame(live, joined),
            frame(MESSAGES[1]),
        ],  # m1 again: printed once only
        ConnectionRefusedError(111, "refused"),  # daemon restarting
        [
            frame(
                {
                    "type": "SYSTEM",
                    "id": "s1",
                    "body": "<p>back</p>",
                    "user": {"displayName": "New Owncast Server"},
                }
            )
        ],
        KeyboardInterrupt(),
    )
    result = ctl("chat", "tail", "-f", ws_connect=connector)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum("hello & welcome" in line for line in lines) == 1
    assert any("live one" in line for line in lines)
    assert any("carol joined" in line for line in lines)
    assert any("New Owncast Server" in line and "back" in line for line in lines)
    assert "reconnecting in 1s" in result.stderr and "reconnecting in 2s" in result.stderr
    assert "chat connection restored" in result.stderr
    assert no_sleep == [1.0, 2.0, 1.0]
    assert registrations == [{"displayName": "terminal"}]  # registered once, token reused
    assert connector.urls[0] == "ws://owncast.test:8080/ws?accessToken=chat-token-1"


def test_chat_tail_follow_reregisters_when_the_token_is_unknown(fake, ctl, tmp_path, no_sleep):
    tokens = iter(["old-token", "new-token"])
    fake.route("POST", "/api/chat/register", lambda r: {"accessToken": next(tokens)})
    fake.route("GET", "/api/admin/chat/messages", [])
    connector = Connector([frame({"type": "ERROR_NEEDS_REGISTRATION"})], KeyboardInterrupt())
    assert ctl("chat", "tail", "-f", ws_connect=connector).exit_code == 0
    assert connector.urls[1].endswith("accessToken=new-token")
    stored = json.loads((tmp_path / "config" / "owncastctl" / "credentials.json").read_text())
    assert stored["servers"][URL]["chatToken"] == "new-token"


def test_chat_tail_follow_json_lines(fake, ctl, no_sleep):
    fake.route("POST", "/api/chat/register", {"accessToken": "t"})
    fake.route("GET", "/api/admin/chat/messages", MESSAGES[1:])
    vis = {"type": "VISIBILITY-UPDATE", "id": "v1", "ids": ["m1"], "visible": False}
    connector = Connector([frame(vis)], KeyboardInterrupt())
    result = ctl("chat", "tail", "-f", "--json", ws_connect=connector)
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["type"] for e in events] == ["CHAT", "VISIBILITY-UPDATE"]
    assert result.stderr == ""


def test_chat_tail_follow_stops_when_banned(fake, ctl, no_sleep):
    fake.route("POST", "/api/chat/register", {"accessToken": "t"})
    fake.route("GET", "/api/admin/chat/messages", [])
    connector = Connector([frame({"type": "ERROR_USER_DISABLED"})])
    result = ctl("chat", "tail", "-f", ws_connect=connector)
    assert result.exit_code == 1 and "chat user is banned" in result.stderr


def test_logs_follow_prints_only_new_lines(fake, ctl, no_sleep):
    batches = iter([LOGS, [*LOGS, {"message": "new line", "level": "error", "time": "t3"}]])

    def logs(request):
        batch = next(batches, None)
        if batch is None:
            raise KeyboardInterrupt
        return batch

    fake.route("GET", "/api/admin/logs", logs)
    result = ctl("logs", "-f")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("ffmpeg is slow") == 1 and out.count("new line") == 1
    assert "ERROR" in out

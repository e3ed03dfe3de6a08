"""Fixtures for owncastctl tests: a fake owncastd behind `httpx.MockTransport` and a runner."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from owncastctl.cli import app
from owncastctl.state import State
from owncastd.http.admin.config_keys import keys_payload

PASSWORD = "a-strong-admin-password"
URL = "http://owncast.test:8080"

ADMIN_STATUS = {
    "broadcaster": {
        "remoteAddr": "192.0.2.7",
        "time": "2024-05-01T12:00:00Z",
        "streamDetails": {
            "width": 1280,
            "height": 720,
            "framerate": 30,
            "videoBitrate": 2500,
            "videoCodec": "h264",
            "audioBitrate": 160,
            "audioCodec": "aac",
            "encoder": "obs-output module (libobs version 30.0.2)",
            "videoOnly": False,
        },
    },
    "currentBroadcast": {
        "latencyLevel": 2,
        "outputSettings": [{"name": "Source", "videoBitrate": 1200, "framerate": 24}],
    },
    "health": {"healthy": True, "healthPercentage": 100, "message": "", "representation": 0},
    "online": True,
    "viewerCount": 3,
    "overallPeakViewerCount": 12,
    "sessionPeakViewerCount": 5,
    "versionNumber": "0.2.4",
    "owncastdVersion": "0.1.0",
    "streamTitle": "Friday jam",
}
SERVER_CONFIG = {
    "instanceDetails": {
        "name": "New Owncast Server",
        "summary": "A summary",
        "tags": ["owncast", "streaming"],
        "extraPageContent": "# hi",
        "streamTitle": "Friday jam",
        "welcomeMessage": "",
        "offlineMessage": "",
        "logo": "logo.svg",
        "socialHandles": [{"platform": "github", "url": "https://github.com/owncast/owncast"}],
        "nsfw": False,
        "customStyles": "",
        "customJavascript": "",
        "appearanceVariables": {},
    },
    "ffmpegPath": "/usr/bin/ffmpeg",
    "adminPassword": "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
    "streamKeys": [{"key": "a-long-stream-key-0001", "comment": "OBS"}],
    "webServerPort": 8080,
    "webServerIP": "0.0.0.0",
    "rtmpServerPort": 1935,
    "chatDisabled": False,
    "chatJoinMessagesEnabled": True,
    "chatEstablishedUserMode": False,
    "chatSpamProtectionEnabled": True,
    "chatSlurFilterEnabled": False,
    "hideViewerCount": False,
    "disableSearchIndexing": False,
    "socketHostOverride": "",
    "videoServingEndpoint": "",
    "videoSettings": {
        "videoQualityVariants": [{"videoBitrate": 1200, "framerate": 24}],
        "latencyLevel": 2,
    },
    "yp": {"enabled": False, "instanceUrl": ""},
    "s3": {
        "enabled": False,
        "endpoint": "",
        "servingEndpoint": "",
        "accessKey": "",
        "secret": "s3-secret-value",
        "bucket": "",
        "region": "",
        "acl": "",
        "forcePathStyle": False,
    },
    "externalActions": [],
    "supportedCodecs": ["libx264"],
    "videoCodec": "libx264",
    "forbiddenUsernames": ["owncast", "operator", "admin", "system"],
    "suggestedUsernames": [],
    "federation": {
        "enabled": False,
        "isPrivate": False,
        "username": "streamer",
        "goLiveMessage": "I've gone live!",
        "showEngagement": True,
        "blockedDomains": [],
    },
    "notifications": {
        "discord": {"enabled": False, "webhook": "", "goLiveMessage": ""},
        "browser": {"enabled": True, "goLiveMessage": "I've gone live!"},
    },
}
ALICE = {
    "id": "u-alice",
    "displayName": "alice",
    "displayColor": 3,
    "createdAt": "2024-05-01T11:00:00Z",
    "previousNames": ["alice"],
    "scopes": ["MODERATOR"],
    "isBot": False,
    "authenticated": False,
}
BOB = {
    "id": "u-bob",
    "displayName": "bob",
    "displayColor": 5,
    "createdAt": "2024-05-01T11:30:00Z",
    "previousNames": ["bob"],
    "isBot": False,
    "authenticated": False,
}
MESSAGES = [  # newest first, as /api/admin/chat/messages answers
    {
        "type": "CHAT",
        "id": "m2",
        "timestamp": "2024-05-01T12:01:00Z",
        "user": BOB,
        "body": "<p>second <strong>message</strong></p>",
        "visible": False,
        "hiddenAt": "2024-05-01T12:02:00Z",
    },
    {
        "type": "CHAT",
        "id": "m1",
        "timestamp": "2024-05-01T12:00:30Z",
        "user": ALICE,
        "body": "<p>hello &amp; welcome</p>",
        "visible": True,
    },
]
HARDWARE = {
    "cpu": [{"time": f"2024-05-01T12:0{i}:00Z", "value": v} for i, v in enumerate([5, 20, 35])],
    "memory": [{"time": "2024-05-01T12:00:00Z", "value": 41.5}],
    "disk": [],
}
TOKENS = [
    {
        "accessToken": "tok-aaaaaaaaaaaaaaaa",
        "displayName": "mybot",
        "scopes": ["CAN_SEND_MESSAGES"],
        "createdAt": "2024-05-01T10:00:00Z",
        "lastUsedAt": None,
    }
]
WEBHOOKS = [
    {
        "id": 7,
        "url": "https://hooks.example/owncast",
        "events": ["CHAT"],
        "timestamp": "2024-05-01T10:00:00Z",
        "lastUsed": None,
    }
]
LOGS = [
    {"message": "ready http=8080 rtmp=1935", "level": "info", "time": "2024-05-01T12:00:00Z"},
    {"message": "ffmpeg is slow", "level": "warning", "time": "2024-05-01T12:00:05Z"},
]
# What owncastd's GET /api/admin/config/keys answers (owncastctl keeps no copy of the table).
CONFIG_KEYS = keys_payload()
Handler = Callable[[httpx.Request], Any]


@dataclass
class FakeOwncast:
    """Routes `(method, path)` to canned JSON (or a handler); records every request."""

    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    password: str = PASSWORD

    def route(self, method: str, path: str, answer: Any) -> None:
        """Answer `method path` with `answer` (JSON, an httpx.Response, or a handler)."""
        self.routes[(method, path)] = answer

    def fail(self, method: str, path: str, status: int = 500, message: str = "it broke") -> None:
        """Make `method path` answer an Owncast-shaped error."""
        self.route(
            method, path, httpx.Response(status, json={"success": False, "message": message})
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.startswith("/api/admin"):
            header = request.headers.get("authorization", "")
            expected = "Basic " + base64.b64encode(f"admin:{self.password}".encode()).decode()
            if header != expected:
                return httpx.Response(401, text="Unauthorized")
        answer = self.routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"success": False, "message": "not found"})
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def sent(self, method: str, path: str) -> list[Any]:
        """The JSON bodies sent to `method path`."""
        return [
            json.loads(r.content) if r.content else None
            for r in self.requests
            if r.method == method and r.url.path == path
        ]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@pytest.fixture
def fake() -> FakeOwncast:
    server = FakeOwncast()
    server.route("GET", "/api/admin/status", ADMIN_STATUS)
    server.route("GET", "/api/admin/serverconfig", SERVER_CONFIG)
    server.route("GET", "/api/admin/config/keys", CONFIG_KEYS)
    server.route(
        "GET", "/api/status", {"online": True, "versionNumber": "0.2.4", "owncastdVersion": "0.1.0"}
    )
    return server


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def ctl(fake: FakeOwncast, tmp_path: Path) -> Callable[..., Result]:
    """Run owncastctl against the fake server: `ctl("status", "--json")`."""

    def run(
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        keyring: Any = None,
        ws_connect: Any = None,
        password: str | None = PASSWORD,
    ) -> Result:
        environ = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "OWNCAST_URL": URL}
        if password is not None:
            environ["OWNCAST_ADMIN_PASSWORD"] = password
        environ.update(env or {})
        environ = {k: v for k, v in environ.items() if v is not None and v != "<unset>"}
        state = State(
            environ=environ,
            transport=fake.transport(),
            keyring_backend=keyring,
            ws_connect=ws_connect,
            cwd=tmp_path,
        )
        result = CliRunner().invoke(app, list(args), obj=state, input=input)
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return run

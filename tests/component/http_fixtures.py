"""A real web app for component tests: `create_app` over a real Stream, ViewerTracker and settings.

`build_web` puts the app over `app_fixtures.build_core` (the objects `daemon.py` wires, with a
settable wall clock and a stats sink that records what it was given). The `web` fixture also
runs the stream's timers and the viewer expiry in the test's nursery; under trio's MockClock
(the test requests `mock_clock`) time moves only on jumps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from quart_trio import QuartTrio

from owncastd.config.settings import Settings, SettingsRef
from owncastd.core.stream import LiveSession, Stream, StreamStats
from owncastd.core.viewers import ViewerTracker
from owncastd.http.app import create_app
from owncastd.http.context import WebPaths
from tests.component.app_fixtures import (
    RecordingStatsSink,
    WallClock,
    build_core,
    configure,
    default_settings,
    go_online,
    mock_clock,
)


@dataclass
class WebHarness:
    """The app, its test client and the real services behind it."""

    app: QuartTrio
    stream: Stream
    viewers: ViewerTracker
    settings: SettingsRef
    paths: WebPaths
    wall: WallClock
    sink: RecordingStatsSink
    clock: trio.testing.MockClock | None = None

    @property
    def client(self) -> Any:
        """A fresh Quart test client."""
        return self.app.test_client()

    def configure(self, section: str, **changes: Any) -> None:
        """Replace fields of one settings section, e.g. `configure("server", nsfw=True)`."""
        configure(self.settings, section, **changes)

    def write(self, root: Path, relative: str, data: bytes) -> Path:
        """Create `root/relative` (and its parents) holding `data`."""
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    async def go_online(self, remote_addr: str = "203.0.113.9") -> LiveSession:
        """Accept a publisher, report media ready and let the warm-up pass: online."""
        return await go_online(self.stream, self.clock, remote_addr)

    async def get(self, path: str, **kwargs: Any) -> Any:
        """GET `path` with a fresh client."""
        return await self.client.get(path, **kwargs)

    async def get_json(self, path: str, **kwargs: Any) -> tuple[Any, Any]:
        """GET `path`; the response and its body parsed as JSON."""
        response = await self.get(path, **kwargs)
        return response, json.loads(await response.get_data())


def build_web(tmp_path: Path, settings: Settings | None = None) -> WebHarness:
    """Wire the web app as the daemon does, with its directories under `tmp_path`."""
    core = build_core(
        tmp_path / "data",
        settings or default_settings(),
        stats=StreamStats(overall_peak_viewers=5),
    )
    return WebHarness(
        create_app(core.context()),
        core.stream,
        core.viewers,
        core.settings,
        core.paths,
        core.wall,
        core.sink,
    )


async def read_http_response(stream: trio.abc.ReceiveStream) -> bytes:
    """One HTTP/1.1 response with a Content-Length off a raw socket: head, blank line, body
    (the server may keep the connection open after it)."""
    data = b""
    with trio.fail_after(5):
        while b"\r\n\r\n" not in data:
            chunk = await stream.receive_some(65536)
            assert chunk, f"connection closed before a response: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            chunk = await stream.receive_some(65536)
            assert chunk, "connection closed inside the body"
            body += chunk
    return head + b"\r\n\r\n" + body


@pytest.fixture(name="web")
async def web_fixture(tmp_path: Path, nursery: trio.Nursery) -> WebHarness:
    """The harness with the stream's timers and viewer expiry running in the test's nursery.

    A test that moves time (`go_online`) must also request `mock_clock`: pytest-trio installs a
    clock only when the test function itself asks for it.
    """
    harness = build_web(tmp_path)
    harness.clock = mock_clock()
    await nursery.start(harness.stream.run)
    await nursery.start(harness.viewers.run)
    return harness

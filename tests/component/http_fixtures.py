"""A real web app for component tests: `create_app` over a real Stream, ViewerTracker and settings.

`build_web` wires the same objects `daemon.py` does (an EventBus the tracker listens on, a
SettingsRef, WebPaths under a temporary directory), with a settable wall clock and a stats sink
that records what it was given. The `web` fixture also runs the stream's timers and the viewer
expiry in the test's nursery; under trio's MockClock (the test requests `mock_clock`) time
moves only on jumps.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import trio
import trio.testing
from quart_trio import QuartTrio

from owncastd.core.events import EventBus
from owncastd.core.stream import LiveSession, Stream, StreamStats, warmup_seconds
from owncastd.core.viewers import ViewerTracker
from owncastd.http.app import create_app
from owncastd.http.context import WebContext, WebPaths
from owncastd.settings import AdminSettings, Settings, SettingsRef

# 14:30:15.250 at UTC+2, so the API must convert it to 12:30:15.250Z.
START = datetime(2026, 3, 1, 14, 30, 15, 250_000, tzinfo=timezone(timedelta(hours=2)))
START_Z = "2026-03-01T12:30:15.250Z"
VERSION = "0.2.0-test"
ADMIN_PASSWORD = "correct horse battery staple"
SEGMENT_SECONDS = 2


def password_hash(password: str) -> str:
    """A bcrypt hash with the cheapest cost, so tests stay fast."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


def basic(user: str, password: str) -> dict[str, str]:
    """An `Authorization: Basic …` header."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class WallClock:
    """The wall clock handed to the stream and the API; tests move it by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingStatsSink:
    """A StatsSink that keeps every snapshot it is asked to save."""

    def __init__(self) -> None:
        self.saved: list[StreamStats] = []

    def save_stats(self, stats: StreamStats) -> None:
        self.saved.append(stats)


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
        current = self.settings.current
        part = replace(getattr(current, section), **changes)
        self.settings.replace(replace(current, **{section: part}))

    def write(self, root: Path, relative: str, data: bytes) -> Path:
        """Create `root/relative` (and its parents) holding `data`."""
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    async def go_online(self, remote_addr: str = "203.0.113.9") -> LiveSession:
        """Accept a publisher, report media ready and let the warm-up pass: online."""
        assert self.clock is not None, "a test that calls go_online must request mock_clock"
        session = self.stream.begin(remote_addr)
        self.stream.media_ready(session)
        await trio.testing.wait_all_tasks_blocked()
        self.clock.jump(warmup_seconds(SEGMENT_SECONDS))
        await trio.testing.wait_all_tasks_blocked()
        assert self.stream.online
        return session

    async def get(self, path: str, **kwargs: Any) -> Any:
        """GET `path` with a fresh client."""
        return await self.client.get(path, **kwargs)

    async def get_json(self, path: str, **kwargs: Any) -> tuple[Any, Any]:
        """GET `path`; the response and its body parsed as JSON."""
        response = await self.get(path, **kwargs)
        return response, json.loads(await response.get_data())


def build_web(tmp_path: Path, settings: Settings | None = None) -> WebHarness:
    """Wire the web app as the daemon does, with its directories under `tmp_path`."""
    settings = settings or Settings(
        admin=AdminSettings(password_hash=password_hash(ADMIN_PASSWORD))
    )
    ref = SettingsRef(settings)
    wall = WallClock(START)
    sink = RecordingStatsSink()
    bus = EventBus()
    stream = Stream(
        bus=bus,
        stream_keys=lambda: ["stream-key"],
        segment_seconds=lambda: SEGMENT_SECONDS,
        stats=StreamStats(overall_peak_viewers=5),
        stats_sink=sink,
        clock=wall,
    )
    viewers = ViewerTracker(stream, wall)
    bus.subscribe(viewers.on_event)
    paths = WebPaths(
        data_dir=tmp_path / "data",
        hls_dir=tmp_path / "data" / "hls",
        thumbnails_dir=tmp_path / "data" / "tmp",
        public_dir=tmp_path / "data" / "public",
    )
    for directory in (paths.hls_dir, paths.thumbnails_dir, paths.public_dir):
        directory.mkdir(parents=True)
    context = WebContext(
        settings=ref, stream=stream, viewers=viewers, paths=paths, version=VERSION, clock=wall
    )
    return WebHarness(create_app(context), stream, viewers, ref, paths, wall, sink)


@pytest.fixture(name="web")
async def web_fixture(tmp_path: Path, nursery: trio.Nursery) -> WebHarness:
    """The harness with the stream's timers and viewer expiry running in the test's nursery.

    A test that moves time (`go_online`) must also request `mock_clock`: pytest-trio installs a
    clock only when the test function itself asks for it.
    """
    harness = build_web(tmp_path)
    clock = trio.lowlevel.current_clock()
    harness.clock = clock if isinstance(clock, trio.testing.MockClock) else None
    await nursery.start(harness.stream.run)
    await nursery.start(harness.viewers.run)
    return harness

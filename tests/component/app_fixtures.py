"""What every component-test app is built on: the real services, wired as `daemon.py` wires them.

`build_core` makes the live settings holder, a settable wall clock, a stats sink that records
what it was given, the EventBus, Stream and ViewerTracker (listening on the bus) and WebPaths
with their directories under one data directory; `config_core` does the same over a real
`owncast.toml` written from the documented sample. The http, admin, chat and integration
fixtures add their own parts (store, control plane, chat, front door) on top.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import bcrypt
import trio
import trio.testing

from owncastd.config.load import ConfigFlags, load_config, sample_config_text, update_config
from owncastd.config.settings import AdminSettings, Settings, SettingsRef
from owncastd.core.events import EventBus
from owncastd.core.stream import LiveSession, Stream, StreamStats, warmup_seconds
from owncastd.core.viewers import ViewerTracker
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.context import WebContext, WebPaths
from owncastd.log_buffer import LogBuffer
from owncastd.store.database import Store
from owncastd.wiring import ControlPlaneParts, build_control_plane

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


def configure(settings: SettingsRef, section: str, **changes: Any) -> None:
    """Replace fields of one settings section live, e.g. `configure(ref, "server", nsfw=True)`."""
    current = settings.current
    part = replace(getattr(current, section), **changes)
    settings.replace(replace(current, **{section: part}))


def mock_clock() -> trio.testing.MockClock | None:
    """The run's MockClock, or None when the test did not request `mock_clock`."""
    clock = trio.lowlevel.current_clock()
    return clock if isinstance(clock, trio.testing.MockClock) else None


async def go_online(
    stream: Stream, clock: trio.testing.MockClock | None, remote_addr: str
) -> LiveSession:
    """Accept a publisher, report media ready and let the warm-up pass: online."""
    assert clock is not None, "a test that calls go_online must request mock_clock"
    session = stream.begin(remote_addr)
    stream.media_ready(session)
    await trio.testing.wait_all_tasks_blocked()
    clock.jump(warmup_seconds(SEGMENT_SECONDS))
    await trio.testing.wait_all_tasks_blocked()
    assert stream.online
    return session


@dataclass
class AppCore:
    """The services every app is built on (nothing is running yet)."""

    settings: SettingsRef
    wall: WallClock
    sink: RecordingStatsSink
    bus: EventBus
    stream: Stream
    viewers: ViewerTracker
    paths: WebPaths
    config_path: Path | None = None

    @property
    def data_dir(self) -> Path:
        """The data directory everything lives under."""
        return self.paths.data_dir

    def context(self, **parts: Any) -> WebContext:
        """A WebContext over these services; `parts` adds chat, control, config_path…"""
        return WebContext(
            settings=self.settings,
            stream=self.stream,
            viewers=self.viewers,
            paths=self.paths,
            version=VERSION,
            clock=self.wall,
            **parts,
        )

    def control_plane(self, store: Store, logs: LogBuffer, **options: Any) -> ControlPlane:
        """The control plane over these services and `store`; `options` as ControlPlaneParts."""
        return build_control_plane(
            ControlPlaneParts(
                settings=self.settings,
                config_path=self.config_path,
                store=store,
                stream=self.stream,
                viewers=self.viewers,
                data_dir=self.data_dir,
                clock=self.wall,
                version=VERSION,
                logs=logs,
                **options,
            )
        )


def default_settings() -> Settings:
    """Defaults but for a (cheap) hash of ADMIN_PASSWORD."""
    return Settings(admin=AdminSettings(password_hash=password_hash(ADMIN_PASSWORD)))


def build_core(
    data_dir: Path,
    settings: Settings,
    *,
    stats: StreamStats | None = None,
    config_path: Path | None = None,
) -> AppCore:
    """Wire the core services as the daemon does; the media directories are made."""
    ref = SettingsRef(settings)
    wall = WallClock(START)
    sink = RecordingStatsSink()
    bus = EventBus()
    stream = Stream(
        bus=bus,
        stream_keys=lambda: [k.key for k in ref.current.rtmp.stream_keys],
        segment_seconds=lambda: SEGMENT_SECONDS,
        stats=stats if stats is not None else StreamStats(),
        stats_sink=sink,
        clock=wall,
    )
    viewers = ViewerTracker(stream, wall)
    bus.subscribe(viewers.on_event)
    paths = WebPaths(
        data_dir=data_dir,
        hls_dir=data_dir / "hls",
        thumbnails_dir=data_dir / "tmp",
        public_dir=data_dir / "public",
    )
    for directory in (paths.hls_dir, paths.thumbnails_dir, paths.public_dir):
        directory.mkdir(parents=True)
    return AppCore(ref, wall, sink, bus, stream, viewers, paths, config_path)


def write_config(directory: Path) -> Path:
    """The documented sample with a (cheap) admin password hash and one stream key."""
    path = directory / "owncast.toml"
    path.write_text(sample_config_text())
    update_config(
        path,
        {
            "admin.password_hash": password_hash(ADMIN_PASSWORD),
            "rtmp.stream_keys": [{"key": "stream-key", "comment": "test key"}],
        },
    )
    return path


def config_core(tmp_path: Path) -> AppCore:
    """`build_core` with settings loaded from a written `owncast.toml` in `tmp_path/data`."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    config_path = write_config(data_dir)
    settings = load_config(
        config_path=config_path, data_dir=data_dir, environ={}, flags=ConfigFlags()
    ).settings
    return build_core(data_dir, settings, config_path=config_path)


async def start_store(nursery: trio.Nursery, data_dir: Path) -> Store:
    """The SQLite store at `data_dir/owncast.db`, running in `nursery`."""
    store = Store(data_dir / "owncast.db")
    await nursery.start(store.run)
    return store

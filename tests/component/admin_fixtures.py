"""The real web app with the admin control plane: a real Store, config file and services.

`admin` builds what `daemon.py` builds for the control plane (ConfigEditor on a real
`owncast.toml` made from the documented sample, SQLite store, hardware monitor with a scripted
probe, playback metrics, viewer history, users, Prometheus) and the app over it. Background
samplers are not started: tests call `sample()`/`aggregate()`/`tick()` themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from quart_trio import QuartTrio

from owncastd.config import ConfigFlags, load_config, sample_config_text, update_config
from owncastd.core.events import EventBus
from owncastd.core.stream import LiveSession, Stream, StreamStats, warmup_seconds
from owncastd.core.viewers import ViewerTracker
from owncastd.http.app import create_app
from owncastd.http.context import WebContext, WebPaths
from owncastd.http.control import ControlPlane, ControlPlaneParts, build_control_plane
from owncastd.log_buffer import LogBuffer
from owncastd.settings import SettingsRef
from owncastd.store.database import Store
from tests.component.http_fixtures import (
    ADMIN_PASSWORD,
    SEGMENT_SECONDS,
    START,
    VERSION,
    RecordingStatsSink,
    WallClock,
    basic,
    password_hash,
)

ADMIN = basic("admin", ADMIN_PASSWORD)
SUPPORTED_CODECS = ("libx264", "h264_vaapi")


class ScriptedProbe:
    """A HardwareProbe returning queued values (then the last ones again)."""

    def __init__(self) -> None:
        self.cpu = [10.0]
        self.memory = [20.0]
        self.disk = [30.0]

    def cpu_percent(self) -> float:
        return self.cpu.pop(0) if len(self.cpu) > 1 else self.cpu[0]

    def memory_percent(self) -> float:
        return self.memory.pop(0) if len(self.memory) > 1 else self.memory[0]

    def disk_percent(self, path: Path) -> float:
        return self.disk.pop(0) if len(self.disk) > 1 else self.disk[0]


@dataclass
class AdminHarness:
    """The app, its control plane and the real pieces behind them."""

    app: QuartTrio
    control: ControlPlane
    stream: Stream
    viewers: ViewerTracker
    settings: SettingsRef
    paths: WebPaths
    wall: WallClock
    store: Store
    config_path: Path
    logs: LogBuffer
    probe: ScriptedProbe
    stops: list[str] = field(default_factory=list)
    ffmpeg_checks: list[str] = field(default_factory=list)
    clock: trio.testing.MockClock | None = None

    @property
    def client(self) -> Any:
        """A fresh Quart test client."""
        return self.app.test_client()

    async def request(
        self, method: str, path: str, *, auth: bool = True, **kwargs: Any
    ) -> tuple[Any, Any]:
        """Send a request; the response and its body (JSON when it parses, else bytes)."""
        headers = {**(ADMIN if auth else {}), **kwargs.pop("headers", {})}
        response = await self.client.open(path, method=method, headers=headers, **kwargs)
        data = await response.get_data()
        try:
            return response, json.loads(data)
        except ValueError:
            return response, data

    async def get(self, path: str, **kwargs: Any) -> tuple[Any, Any]:
        """GET as the admin (unless `auth=False`)."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """POST `body` as JSON as the admin (unless `auth=False`)."""
        if body is not None:
            kwargs["json"] = body
        return await self.request("POST", path, **kwargs)

    async def set_config(self, name: str, value: Any, **kwargs: Any) -> tuple[Any, Any]:
        """`POST /api/admin/config/<name>` with `{"value": value}`."""
        return await self.post(f"/api/admin/config/{name}", {"value": value}, **kwargs)

    def config_text(self) -> str:
        """The config file as it is on disk now."""
        return self.config_path.read_text()

    async def go_online(self, remote_addr: str = "203.0.113.9") -> LiveSession:
        """Accept a publisher and let the warm-up pass (needs `mock_clock`)."""
        assert self.clock is not None, "a test that calls go_online must request mock_clock"
        session = self.stream.begin(remote_addr)
        self.stream.media_ready(session)
        await trio.testing.wait_all_tasks_blocked()
        self.clock.jump(warmup_seconds(SEGMENT_SECONDS))
        await trio.testing.wait_all_tasks_blocked()
        assert self.stream.online
        return session


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


async def build_admin(tmp_path: Path, nursery: trio.Nursery) -> AdminHarness:
    """Wire the app and control plane as the daemon does; the store runs in `nursery`."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    config_path = write_config(data_dir)
    settings = load_config(
        config_path=config_path, data_dir=data_dir, environ={}, flags=ConfigFlags()
    ).settings
    ref = SettingsRef(settings)
    wall = WallClock(START)
    bus = EventBus()
    stream = Stream(
        bus=bus,
        stream_keys=lambda: [k.key for k in ref.current.rtmp.stream_keys],
        segment_seconds=lambda: SEGMENT_SECONDS,
        stats=StreamStats(),
        stats_sink=RecordingStatsSink(),
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
    store = Store(data_dir / "owncast.db")
    await nursery.start(store.run)
    logs = LogBuffer()
    stops: list[str] = []
    checks: list[str] = []
    probe = ScriptedProbe()

    async def check_ffmpeg(path: str) -> str | None:
        checks.append(path)
        return None if path.endswith("/ffmpeg") else "is not an ffmpeg binary"

    control = build_control_plane(
        ControlPlaneParts(
            settings=ref,
            config_path=config_path,
            store=store,
            stream=stream,
            viewers=viewers,
            data_dir=data_dir,
            clock=wall,
            version=VERSION,
            logs=logs,
            request_stop=lambda: stops.append("stop"),
            supported_codecs=SUPPORTED_CODECS,
            check_ffmpeg=check_ffmpeg,
            ffmpeg_restarts=lambda: 2,
            hardware_probe=probe,
        )
    )
    context = WebContext(
        settings=ref,
        stream=stream,
        viewers=viewers,
        paths=paths,
        version=VERSION,
        clock=wall,
        control=control,
        config_path=config_path,
    )
    harness = AdminHarness(
        create_app(context),
        control,
        stream,
        viewers,
        ref,
        paths,
        wall,
        store,
        config_path,
        logs,
        probe,
        stops,
        checks,
    )
    clock = trio.lowlevel.current_clock()
    harness.clock = clock if isinstance(clock, trio.testing.MockClock) else None
    await nursery.start(stream.run)
    await nursery.start(viewers.run)
    await nursery.start(control.shutdown.run)
    return harness


@pytest.fixture(name="admin")
async def admin_fixture(tmp_path: Path, nursery: trio.Nursery) -> AdminHarness:
    """The admin harness (request `mock_clock` too for tests that move time)."""
    return await build_admin(tmp_path, nursery)

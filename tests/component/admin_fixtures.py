"""The real web app with the admin control plane: a real Store, config file and services.

`admin` builds what `daemon.py` builds for the control plane on `app_fixtures.config_core`
(ConfigEditor on a real `owncast.toml` made from the documented sample, SQLite store, hardware
monitor with a scripted probe, playback metrics, viewer history, users, Prometheus) and the app
over it. Background samplers are not started: tests call `sample()`/`aggregate()`/`tick()`
themselves.
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

from owncastd.config.settings import SettingsRef
from owncastd.core.stream import LiveSession, Stream
from owncastd.core.viewers import ViewerTracker
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.app import create_app
from owncastd.http.context import WebPaths
from owncastd.log_buffer import LogBuffer
from owncastd.store.database import Store
from tests.component.app_fixtures import (
    ADMIN_PASSWORD,
    WallClock,
    basic,
    config_core,
    go_online,
    mock_clock,
    start_store,
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
        return await go_online(self.stream, self.clock, remote_addr)


async def build_admin(tmp_path: Path, nursery: trio.Nursery) -> AdminHarness:
    """Wire the app and control plane as the daemon does; the store runs in `nursery`."""
    core = config_core(tmp_path)
    assert core.config_path is not None
    store = await start_store(nursery, core.data_dir)
    logs = LogBuffer()
    stops: list[str] = []
    checks: list[str] = []
    probe = ScriptedProbe()

    async def check_ffmpeg(path: str) -> str | None:
        checks.append(path)
        return None if path.endswith("/ffmpeg") else "is not an ffmpeg binary"

    control = core.control_plane(
        store,
        logs,
        request_stop=lambda: stops.append("stop"),
        supported_codecs=SUPPORTED_CODECS,
        check_ffmpeg=check_ffmpeg,
        ffmpeg_restarts=lambda: 2,
        hardware_probe=probe,
    )
    context = core.context(control=control, config_path=core.config_path)
    harness = AdminHarness(
        create_app(context),
        control,
        core.stream,
        core.viewers,
        core.settings,
        core.paths,
        core.wall,
        store,
        core.config_path,
        logs,
        probe,
        stops,
        checks,
    )
    harness.clock = mock_clock()
    await nursery.start(core.stream.run)
    await nursery.start(core.viewers.run)
    await nursery.start(control.shutdown.run)
    return harness


@pytest.fixture(name="admin")
async def admin_fixture(tmp_path: Path, nursery: trio.Nursery) -> AdminHarness:
    """The admin harness (request `mock_clock` too for tests that move time)."""
    return await build_admin(tmp_path, nursery)

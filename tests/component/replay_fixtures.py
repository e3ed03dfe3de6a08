"""An app with the replay routes over a real store and a real `recordings/` directory, and
helpers that put recordings in it (a VOD playlist, segments, a thumbnail) without a broadcast."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trio
from quart_trio import QuartTrio

from owncastd.config.settings import SettingsRef
from owncastd.core.replays.models import Replay
from owncastd.core.replays.vod import VodPlaylist, VodSegment, master_playlist
from owncastd.http.app import create_app
from owncastd.replays.services import ReplayServices
from owncastd.wiring import build_replays
from tests.component.admin_fixtures import ADMIN
from tests.component.app_fixtures import AppCore, config_core, start_store

FFMPEG = "ffmpeg"


@dataclass
class ReplayHarness:
    """The app, the replay services and the core they sit on."""

    app: QuartTrio
    replays: ReplayServices
    core: AppCore

    @property
    def settings(self) -> SettingsRef:
        return self.core.settings

    def make_public(self, public: bool = True) -> None:
        current = self.settings.current
        self.settings.replace(replace(current, replays=replace(current.replays, public=public)))

    async def request(
        self, method: str, path: str, *, auth: bool = False, **kwargs: Any
    ) -> tuple[Any, Any]:
        """The response and its body (JSON when it parses, else bytes)."""
        headers = {**(ADMIN if auth else {}), **kwargs.pop("headers", {})}
        client = self.app.test_client()
        response = await client.open(path, method=method, headers=headers, **kwargs)
        data = await response.get_data()
        try:
            return response, json.loads(data)
        except ValueError:
            return response, data

    async def add(
        self, title: str, *, hours_ago: float = 1, segments: int = 2, **fields: Any
    ) -> Replay:
        """A finished recording with `segments` 2 s segments (bytes, not real video)."""
        files = self.replays.library.files
        started = self.core.wall() - timedelta(hours=hours_ago)
        replay = Replay(
            id=f"{len(await self.replays.library.all()) + 1:012x}",
            title=title,
            started_at=started,
            ended_at=started + timedelta(seconds=2 * segments),
            duration=2.0 * segments,
            variants=(0,),
            thumbnail=True,
            **fields,
        )
        playlist = VodPlaylist()
        files.create(replay.id, replay.variants)
        for n in range(segments):
            (files.path(replay.id, f"0/seg-{n}.ts")).write_bytes(b"\x47" * 188 * (n + 1))
            playlist.add(VodSegment(f"seg-{n}.ts", 2.0))
        files.write(replay.id, "0/stream.m3u8", playlist.render(closed=True).encode())
        files.write(replay.id, "stream.m3u8", master_playlist([(0, 1_200_000)]).encode())
        files.write(replay.id, "thumbnail.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")
        size = files.size(replay.id)
        replay = replace(replay, size_bytes=size)
        await self.replays.library.repository.save(replay)
        return replay


async def build_replay_app(tmp_path: Path, nursery: trio.Nursery) -> ReplayHarness:
    """Wire the replay services into the app as `daemon.py` does (the recorder not running)."""
    core = config_core(tmp_path)
    store = await start_store(nursery, core.data_dir)
    replays = build_replays(store, core.settings, core.data_dir, core.wall, FFMPEG, core.viewers)
    app = create_app(core.context(replays=replays))
    return ReplayHarness(app, replays, core)


@pytest.fixture(name="replay_app")
async def replay_app_fixture(tmp_path: Path, nursery: trio.Nursery) -> ReplayHarness:
    """The replay harness."""
    return await build_replay_app(tmp_path, nursery)

"""LL-HLS routes (issue 13) as RFC 8216bis and the classic /hls routes shape them: status,
content types, caching (playlists never, parts/segments/init always), CORS; fed with a real
fragmented-MP4 stream from ffmpeg, on both HTTP paths (the lean path, and the general app that
serves a keep-alive connection once it carried another route). `/api/config` names the LL-HLS
playlist only when served."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import m3u8
import pytest
from m3u8 import parser as m3u8_parser

from owncastd.config.settings import VideoSettings
from owncastd.hls.llhls.live import LowLatencyOutput
from owncastd.http.app import create_app
from owncastd.http.transport.fast_path import FastPath
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.app_fixtures import build_core, default_settings, mock_clock
from tests.component.fast_fixtures import FastHarness
from tests.component.http_fixtures import configure
from tests.unit.hls.llhls_stream import fmp4_stream

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


@pytest.fixture(params=("app", "fast"))
def via(request: pytest.FixtureRequest) -> str:
    """Which HTTP path answers."""
    return str(request.param)


async def get(web: FastHarness, via: str, path: str) -> Any:
    if via == "fast":
        return await web.get(path)
    return await web.client.get(path)


def harness(tmp_path: Path, *, low_latency: bool = True) -> FastHarness:
    core = build_core(tmp_path / "data", default_settings())
    configure(core.settings, "video", low_latency=low_latency)
    output = LowLatencyOutput(clock=lambda: 1_796_000_000.0)
    for variant in output.begin(VideoSettings(low_latency=True), 1.0):
        data = fmp4_stream()
        for start in range(0, len(data), 4096):  # as pipe reads deliver it
            variant.feed(data[start : start + 4096])
    context = core.context(low_latency=output)
    web = FastHarness(
        create_app(context), core.stream, core.viewers, core.settings, core.paths, core.wall,
        core.sink,
    )  # fmt: skip
    web.fast = FastPath(context, ConnectionLimits())
    web.clock = mock_clock()
    return web


async def test_playlists_are_uncached_ll_hls(tmp_path: Path, via: str) -> None:
    web = harness(tmp_path)
    master = await get(web, via, "/hls/ll/stream.m3u8")
    media = await get(web, via, "/hls/ll/0/stream.m3u8")
    for response in (master, media):
        assert response.status_code == 200
        assert response.headers["content-type"] == PLAYLIST_TYPE
        assert response.headers["cache-control"] == "no-cache, no-store, must-revalidate"
        assert response.headers["access-control-allow-origin"] == "*"
    assert web.served_fast == (2 if via == "fast" else 0)
    master_text = (await master.get_data()).decode()
    m3u8_parser.parse(master_text, strict=True)
    (variant,) = m3u8.loads(master_text).playlists
    assert variant.uri == "0/stream.m3u8"
    assert variant.stream_info.resolution == (320, 180)
    assert variant.stream_info.codecs.startswith("avc1.")
    assert variant.stream_info.codecs.endswith(",mp4a.40.2")
    media_text = (await media.get_data()).decode()
    m3u8_parser.parse(media_text, strict=True)
    playlist = m3u8.loads(media_text)
    assert playlist.server_control.can_block_reload == "YES"
    # The last segment is still open (its end comes with the next keyframe): parts only.
    assert [s.uri for s in playlist.segments] == ["0.m4s", "1.m4s", None]
    assert playlist.preload_hint.uri == "3.0.m4s"  # segment 2 is 1 s long: a keyframe is due
    assert playlist.is_endlist is False  # the session is still on


async def test_media_files_are_cacheable_mp4(tmp_path: Path, via: str) -> None:
    web = harness(tmp_path)
    for path in ("/hls/ll/0/init.mp4", "/hls/ll/0/1.m4s", "/hls/ll/0/2.1.m4s"):
        response = await get(web, via, path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "video/mp4"
        assert response.headers["cache-control"] == "public, max-age=31557600"
        assert response.headers["access-control-allow-origin"] == "*"
    init = await (await get(web, via, "/hls/ll/0/init.mp4")).get_data()
    assert init[4:8] == b"ftyp"
    part = await (await get(web, via, "/hls/ll/0/2.1.m4s")).get_data()
    assert part[4:8] == b"moof"


async def test_errors(tmp_path: Path, via: str) -> None:
    web = harness(tmp_path)
    for path, status in (
        ("/hls/ll/0/stream.m3u8?_HLS_msn=9", 400),
        ("/hls/ll/0/stream.m3u8?_HLS_part=1", 400),
        ("/hls/ll/0/9.m4s", 404),
        ("/hls/ll/0/2.m4s", 404),  # open: only its parts exist
        ("/hls/ll/0/init-3.mp4", 404),
        ("/hls/ll/5/stream.m3u8", 404),
    ):
        response = await get(web, via, path)
        assert response.status_code == status, path
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["cache-control"] == "no-cache, no-store, must-revalidate"


async def test_config_names_the_ll_playlist_only_when_on(tmp_path: Path) -> None:
    on = harness(tmp_path / "on")
    off = harness(tmp_path / "off", low_latency=False)
    on_config = json.loads(await (await on.client.get("/api/config")).get_data())
    off_config = json.loads(await (await off.client.get("/api/config")).get_data())
    assert on_config["lowLatencyStream"] == "/hls/ll/stream.m3u8"
    assert "lowLatencyStream" not in off_config

"""Thumbnails on demand (issue 17): after a stream's first run, the thumbnail maker runs
ffmpeg only for the images fetched since its last run, and both HTTP paths tell it of a
fetch. Real ffmpeg on small segments; the fetches go through the app and the lean path."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import trio
import trio.testing

from owncastd.core.snapshot_demand import SnapshotDemand
from owncastd.hls.thumbnails import ThumbnailMaker
from owncastd.http.app import create_app
from owncastd.http.transport.fast_path import FastPath
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.fast_fixtures import FastHarness, build_fast_web
from tests.component.test_thumbnail_schedule import FFMPEG, image_size, make_segments


async def _make(maker: ThumbnailMaker, segment: Path) -> None:
    with trio.fail_after(30):
        assert await maker.make(segment)


async def test_runs_after_the_first_only_for_what_was_fetched(tmp_path: Path) -> None:
    segments = make_segments(tmp_path, 7)
    demand = SnapshotDemand()
    maker = ThumbnailMaker(FFMPEG, tmp_path / "thumbs", demand)
    await _make(maker, segments[2])  # going live: both, nobody asked yet
    assert maker.runs == 1
    assert image_size(maker.preview) == ("gif", 480, 270)
    thumbnail, preview = maker.thumbnail.read_bytes(), maker.preview.read_bytes()

    await _make(maker, segments[3])
    await _make(maker, segments[4])
    assert maker.runs == 1  # nothing fetched: no ffmpeg
    assert (maker.thumbnail.read_bytes(), maker.preview.read_bytes()) == (thumbnail, preview)

    demand.want_thumbnail()
    await _make(maker, segments[4])  # the same newest segment: it is used now
    assert maker.runs == 2 and not demand.thumbnail
    assert maker.thumbnail.read_bytes() != thumbnail
    assert maker.preview.read_bytes() == preview  # the preview was not asked for

    demand.want_preview()
    await _make(maker, segments[5])  # due (a segment since the last preview): both
    assert maker.runs == 3 and not (demand.thumbnail or demand.preview)
    assert maker.preview.read_bytes() != preview
    assert image_size(maker.preview) == ("gif", 480, 270)
    assert maker.failures == 0

    await maker.clear()  # offline; the next stream's first run makes both unasked
    await _make(maker, segments[6])
    assert maker.runs == 4 and maker.preview.is_file()


async def test_a_preview_fetch_waits_until_the_preview_is_due(tmp_path: Path) -> None:
    segments = make_segments(tmp_path, 5)
    demand = SnapshotDemand()
    maker = ThumbnailMaker(FFMPEG, tmp_path / "thumbs", demand)
    await _make(maker, segments[1])
    preview = maker.preview.read_bytes()
    demand.want_preview()
    await _make(maker, segments[1])  # no newer segment: nothing to make it from
    await _make(maker, segments[2])  # the GIF at most every PREVIEW_EVERY-th segment
    assert (maker.runs, demand.preview) == (1, True)
    await _make(maker, segments[3])
    assert (maker.runs, demand.preview) == (2, False)
    assert maker.preview.read_bytes() != preview
    await _make(maker, segments[4])
    assert maker.runs == 2


def _with_demand(tmp_path: Path) -> tuple[FastHarness, SnapshotDemand]:
    web = build_fast_web(tmp_path)
    assert web.context is not None
    demand = SnapshotDemand()
    context = dataclasses.replace(web.context, snapshots=demand)
    web.app, web.context = create_app(context), context
    web.fast = FastPath(context, ConnectionLimits())
    return web, demand


@pytest.mark.parametrize("lean", [True, False], ids=["fast", "app"])
async def test_both_paths_report_image_fetches(
    tmp_path: Path, lean: bool, mock_clock: trio.testing.MockClock, nursery: trio.Nursery
) -> None:
    web, demand = _with_demand(tmp_path)
    web.clock = mock_clock
    await nursery.start(web.stream.run)
    get = web.get if lean else web.client.get
    await web.go_online()
    web.write(web.paths.thumbnails_dir, "thumbnail.jpg", b"\xff\xd8\xff jpeg")
    response = await get("/thumbnail.jpg")
    assert response.status_code == 200 and await response.get_data() == b"\xff\xd8\xff jpeg"
    assert (demand.thumbnail, demand.preview) == (True, False)
    response = await get("/preview.gif")
    assert response.status_code == 404  # none made yet
    assert (demand.thumbnail, demand.preview) == (True, True)
    assert web.served_fast == (2 if lean else 0)

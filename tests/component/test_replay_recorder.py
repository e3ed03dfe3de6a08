"""The recorder over a live HLS directory written by hand (as the stitcher writes it), the
library's crash recovery and its hourly retention, on a real store and real files."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trio
import trio.testing

from owncastd.core.events import StreamStarted, StreamStopped
from owncastd.replays import recorder as recorder_module
from owncastd.replays.session import RecordingSession
from tests.component.app_fixtures import configure
from tests.component.replay_fixtures import ReplayHarness, replay_app_fixture  # noqa: F401

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def write_live(hls: Path, segments: list[tuple[str, float, bool]], *, ended: bool = False) -> None:
    """`hls/0/stream.m3u8` listing `segments` (name, duration, discontinuity); files made."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for name, duration, discontinuity in segments:
        if discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [f"#EXTINF:{duration},", name]
        if not (hls / "0" / name).exists():
            (hls / "0" / name).write_bytes(name.encode() * 100)
    if ended:
        lines.append("#EXT-X-ENDLIST")
    tmp = hls / "0" / ".stream.m3u8.tmp"
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(hls / "0" / "stream.m3u8")


async def wait_until(condition: Callable[[], object], what: str) -> None:
    """Poll `condition` (files and state the recorder changes) for up to 10 s."""
    with trio.move_on_after(10):
        while not condition():  # noqa: ASYNC110 (polls files)
            await trio.sleep(0.02)
        return
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(name="fast_polls")
def fast_polls_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder_module, "POLL_INTERVAL", 0.02)
    monkeypatch.setattr(recorder_module, "DISK_CHECK_INTERVAL", 0.05)


async def test_a_broadcast_is_recorded_across_a_restart_and_closed(
    replay_app: ReplayHarness, nursery: trio.Nursery, fast_polls: None
):
    library, recorder = replay_app.replays.library, replay_app.replays.recorder
    assert recorder is not None
    hls = replay_app.core.data_dir / "hls"
    (hls / "0").mkdir(parents=True)
    write_live(hls, [("stream-old-9.ts", 2.0, False)], ended=True)  # the last broadcast's
    os.utime(hls / "0" / "stream.m3u8", (0, 0))
    configure(replay_app.settings, "server", stream_title="Friday jam")
    audience = iter([3, 9, 4])
    recorder._viewers = lambda: next(audience, 2)  # the tracker's count, poll after poll
    await nursery.start(library.run)
    await nursery.start(recorder.run)

    recorder.on_event(StreamStarted("203.0.113.9", AT))
    await wait_until(lambda: recorder.current is not None, "recording")
    replay = recorder.current
    assert replay is not None and replay.title == "Friday jam"
    write_live(hls, [("stream-aa-0.ts", 2.0, False), ("stream-aa-1.ts", 2.0, False)])
    files = library.files
    await wait_until(files.path(replay.id, "0/stream-aa-1.ts").exists, "segments")
    (hls / "0" / "stream-aa-0.ts").unlink()  # the live cleanup: our hard link stays
    (replay_app.core.data_dir / "tmp" / "thumbnail.jpg").write_bytes(b"jpeg")
    write_live(hls, [("stream-aa-1.ts", 2.0, False), ("stream-bb-0.ts", 1.5, True)])
    recorder.on_event(StreamStopped(AT))
    write_live(hls, [("stream-aa-1.ts", 2.0, False), ("stream-bb-0.ts", 1.5, True)], ended=True)

    await wait_until(lambda: recorder.current is None, "the recording closed")
    done = await library.get(replay.id)
    assert done is not None
    assert (done.duration, done.thumbnail, done.variants) == (5.5, True, (0,))
    assert done.peak_viewers == 9
    assert done.size_bytes == files.size(replay.id) > 0
    text = files.read_text(replay.id, "0/stream.m3u8")
    assert "stream-old-9.ts" not in text
    assert text.count("#EXTINF") == 3 and text.count("#EXT-X-DISCONTINUITY\n") == 1
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.endswith("#EXT-X-ENDLIST\n")
    assert files.path(replay.id, "0/stream-aa-0.ts").read_bytes() == b"stream-aa-0.ts" * 100
    assert files.read_text(replay.id, "thumbnail.jpg") == "jpeg"
    assert recorder.current is None and recorder.problem() is None


async def test_a_nearly_full_disk_stops_recording_not_the_stream(
    replay_app: ReplayHarness,
    nursery: trio.Nursery,
    fast_polls: None,
    caplog: pytest.LogCaptureFixture,
):
    library, recorder = replay_app.replays.library, replay_app.replays.recorder
    assert recorder is not None
    hls = replay_app.core.data_dir / "hls"
    (hls / "0").mkdir(parents=True)
    configure(replay_app.settings, "replays", min_free_mb=1)
    await nursery.start(library.run)
    await nursery.start(recorder.run)
    recorder.on_event(StreamStarted("203.0.113.9", AT))
    await wait_until(lambda: recorder.current is not None, "recording")
    replay = recorder.current
    assert replay is not None
    write_live(hls, [("stream-aa-0.ts", 2.0, False)])
    await wait_until(library.files.path(replay.id, "0/stream-aa-0.ts").exists, "seg")

    configure(replay_app.settings, "replays", min_free_mb=1 << 40)  # more than any disk has
    await wait_until(lambda: recorder.current is None, "recording stopped")
    write_live(hls, [("stream-aa-0.ts", 2.0, False), ("stream-aa-1.ts", 2.0, False)])
    problem = recorder.problem()
    assert problem is not None and "disk is nearly full" in problem
    assert "the live stream goes on" in problem
    assert any("disk is nearly full" in r.message and r.levelno == logging.WARNING
               for r in caplog.records)  # fmt: skip
    done = await library.get(replay.id)
    assert done is not None and not done.recording and done.duration == 2.0
    assert library.files.read_text(replay.id, "0/stream.m3u8").endswith("#EXT-X-ENDLIST\n")
    _, body = await replay_app.request("GET", "/api/admin/replays", auth=True)
    assert body["problem"] == problem
    assert (hls / "0" / "stream-aa-1.ts").exists()  # the live output is untouched

    # The next broadcast, with the disk still full: nothing is started.
    recorder.on_event(StreamStopped(AT))
    recorder.on_event(StreamStarted("203.0.113.9", AT))
    await wait_until(lambda: recorder.unrecorded == 1, "the broadcast skipped")
    assert len(await library.all()) == 1 and recorder.current is None


async def test_recover_closes_what_a_crash_left_open(replay_app: ReplayHarness):
    library = replay_app.replays.library
    replay = await replay_app.add("Crashed", segments=3)
    await library.repository.update(replay.id, ended_at=None, duration=0.0)
    files = library.files
    session = RecordingSession(files, replay_app.core.data_dir / "hls", replay.id, (0,))
    session.playlists[0] = RecordingSession.reopen(files, replay.id, (0,)).playlists[0]
    session._write(0, closed=False)  # as a killed daemon left it: EVENT, no ENDLIST
    files.path(replay.id, "0/seg-2.ts").unlink()  # and its last segment never linked
    assert "#EXT-X-ENDLIST" not in files.read_text(replay.id, "0/stream.m3u8")

    assert await library.recover() == 1
    done = await library.get(replay.id)
    assert done is not None and not done.recording and done.duration == 4.0
    text = files.read_text(replay.id, "0/stream.m3u8")
    assert text.endswith("#EXT-X-ENDLIST\n") and "seg-2.ts" not in text
    assert await library.recover() == 0


async def test_retention_runs_hourly_oldest_first(
    replay_app: ReplayHarness, nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
):
    library = replay_app.replays.library
    old = await replay_app.add("Old", hours_ago=24 * 10)
    middle = await replay_app.add("Middle", hours_ago=24 * 3)
    new = await replay_app.add("New", hours_ago=1)
    configure(replay_app.settings, "replays", max_age_days=5)
    start = trio.current_time()
    await nursery.start(library.run)
    assert [r.id for r in await library.all()] == [new.id, middle.id]
    assert not library.files.path(old.id).exists()

    assert library.retention_runs == 1
    replay_app.core.wall.now += timedelta(days=3)
    await trio.sleep(3600 - 1)
    assert library.retention_runs == 1 and library.files.path(middle.id).exists()
    await library.retention_ran(2)
    assert trio.current_time() - start >= 3600
    assert [r.id for r in await library.all()] == [new.id]
    assert not library.files.path(middle.id).exists()

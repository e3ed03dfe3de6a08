"""The stitcher's wake-ups (issue 17): it sleeps until ffmpeg renames a playlist into place
(inotify; the 10 Hz timer's wake-ups were ~0.4% of a core at 6 Mbit/s), polls without inotify,
and a wake-up with nothing changed stays on the trio thread (a stat, no thread hop, no read)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trio

import owncastd.hls.stitcher as stitcher_module
from owncastd.hls.output import HlsOutput, atomic_write
from owncastd.hls.playlist_watch import PlaylistWatch
from owncastd.hls.stitcher import PlaylistStitcher


def write_run_playlist(run_dir: Path, segments: int, run: str = "abc") -> None:
    """What ffmpeg does with `temp_file`: write aside, rename into place."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:0"]
    for n in range(segments):
        lines += ["#EXTINF:1.000000,", f"stream-{run}-{n}.ts"]
    tmp = run_dir / "0" / "stream.m3u8.tmp"
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, run_dir / "0" / "stream.m3u8")


async def test_unchanged_ticks_stay_on_the_trio_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    stitcher = PlaylistStitcher(output, variants=1, window=4)
    run_dir = await stitcher.begin_run(stitcher.new_run_id())
    (run_dir / "stream.m3u8").write_text("#EXTM3U\n0/stream.m3u8\n")
    write_run_playlist(run_dir, 1)

    hops: list[object] = []
    real_run_sync = trio.to_thread.run_sync

    async def counting_run_sync(fn: object, *args: object) -> object:
        hops.append(fn)
        return await real_run_sync(fn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(trio.to_thread, "run_sync", counting_run_sync)
    await stitcher.sync()
    assert len(hops) == 1
    assert "stream-abc-0.ts" in output.variant_playlist(0).read_text()

    for _ in range(5):
        await stitcher.sync()
    assert len(hops) == 1  # nothing new: a stat per playlist, no thread, no read

    write_run_playlist(run_dir, 2)
    await stitcher.sync()
    assert len(hops) == 2
    assert "stream-abc-1.ts" in output.variant_playlist(0).read_text()
    assert output.master_playlist.read_text() == "#EXTM3U\n0/stream.m3u8\n"


async def test_a_failed_write_is_retried_though_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    stitcher = PlaylistStitcher(output, variants=1, window=4)
    run_dir = await stitcher.begin_run(stitcher.new_run_id())
    write_run_playlist(run_dir, 1)

    real_write = atomic_write
    failing = [True]

    def flaky_write(path: Path, data: bytes) -> None:
        if failing[0]:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(stitcher_module, "atomic_write", flaky_write)
    await stitcher.sync()
    assert not output.variant_playlist(0).exists()
    failing[0] = False
    await stitcher.sync()  # the run playlist did not change, the served one is still owed
    assert "stream-abc-0.ts" in output.variant_playlist(0).read_text()


async def served_lists(output: HlsOutput, name: str) -> None:
    """Until the served variant playlist lists `name` (checked every 10 ms)."""
    path = output.variant_playlist(0)
    while not (path.exists() and name in path.read_text()):  # noqa: ASYNC110 (a file)
        await trio.sleep(0.01)


async def stitch_two_runs(output: HlsOutput) -> None:
    stitcher = PlaylistStitcher(output, variants=1, window=4)
    async with trio.open_nursery() as nursery:
        first = await stitcher.begin_run("aaaaaa")
        nursery.start_soon(stitcher.run)
        with trio.fail_after(5):
            write_run_playlist(first, 1)
            await served_lists(output, "stream-abc-0.ts")
            write_run_playlist(first, 2)
            await served_lists(output, "stream-abc-1.ts")
            second = await stitcher.begin_run("bbbbbb")  # the watch moves to the new run
            write_run_playlist(second, 1, run="def")
            await served_lists(output, "stream-def-0.ts")
        nursery.cancel_scope.cancel()
    assert "#EXT-X-DISCONTINUITY\n" in output.variant_playlist(0).read_text()


async def test_a_renamed_playlist_wakes_the_stitcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert PlaylistWatch.open() is not None  # Linux: inotify is there
    monkeypatch.setattr(stitcher_module, "STITCH_INTERVAL", 1000.0)
    monkeypatch.setattr(stitcher_module, "RESCAN_INTERVAL", 1000.0)  # only inotify wakes it
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    await stitch_two_runs(output)


async def test_without_inotify_it_polls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PlaylistWatch, "open", classmethod(lambda cls: None))
    monkeypatch.setattr(stitcher_module, "STITCH_INTERVAL", 0.02)
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    await stitch_two_runs(output)

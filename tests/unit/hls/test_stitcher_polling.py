"""The stitcher's 10 Hz tick is cheap when nothing changed: no worker-thread hop (issue 17);
a playlist ffmpeg renames into place is still merged on the next tick."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trio

import owncastd.hls.stitcher as stitcher_module
from owncastd.hls.output import HlsOutput, atomic_write
from owncastd.hls.stitcher import PlaylistStitcher


def write_run_playlist(run_dir: Path, segments: int) -> None:
    """What ffmpeg does with `temp_file`: write aside, rename into place."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:0"]
    for n in range(segments):
        lines += ["#EXTINF:1.000000,", f"stream-abc-{n}.ts"]
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

"""The playlists viewers fetch, kept continuous across ffmpeg restarts.

Each ffmpeg run writes its master and variant playlists into its own hidden directory
(`hls/.run-<id>/`, segments still go to `hls/<n>/stream-<id>-<k>.ts`). The stitcher copies the
master to `hls/stream.m3u8` and merges every run's variant playlist into `hls/<n>/stream.m3u8`
through :class:`~owncastd.hls.playlist.ContinuousPlaylist`, so a restart shows up as one
`#EXT-X-DISCONTINUITY` in a playlist whose media sequence keeps counting.

Why owncastd writes the served playlists rather than ffmpeg (`-start_number` /
`-hls_flags append_list`): ffmpeg 5.1 never writes `#EXT-X-DISCONTINUITY-SEQUENCE`, so the
discontinuity sequence goes wrong as soon as the marked segment slides out, and appending to a
playlist a killed ffmpeg left behind depends on what state it was killed in. Here each run's
own playlist is only read, the merged one is written atomically, and a run's stale playlist
can never be mistaken for the next run's (each run has its own directory). The stitcher
sleeps until ffmpeg renames a playlist into place (inotify, :mod:`owncastd.hls.playlist_watch`;
about once per segment), then an `os.stat` per playlist tells what changed and only that is
read and merged, on a worker thread. Without inotify it stats every STITCH_INTERVAL (≤ 0.1 s
added latency).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import trio

from owncastd.core.offload import SessionOffload, Written
from owncastd.core.periodic import periodic
from owncastd.hls.output import MASTER_PLAYLIST, HlsOutput, atomic_write
from owncastd.hls.playlist import ContinuousPlaylist
from owncastd.hls.playlist_watch import PlaylistWatch
from owncastd.hls.program_date import RunAnchor

log = logging.getLogger(__name__)

STITCH_INTERVAL = 0.1  # polling, where inotify is missing
RESCAN_INTERVAL = 2.0  # with inotify: a stat now and then all the same
RUN_DIR_PREFIX = ".run-"


class PlaylistStitcher:
    """One live session's served playlists. File work runs on a worker thread, one at a time."""

    def __init__(
        self,
        output: HlsOutput,
        variants: int,
        window: int,
        offload: SessionOffload | None = None,
        run_start: Callable[[], float | None] = lambda: None,
    ) -> None:
        """`offload`: segments also go to S3 (core/offload.py); `run_start()`: when the current
        run's first frame arrived (program dates anchor)."""
        self._output = output
        self._offload = offload
        self._run_start = run_start
        self._listed: list[list[str]] = [[] for _ in range(variants)]
        self._playlists = [ContinuousPlaylist(window) for _ in range(variants)]
        self._unwritten = [False] * variants  # merged but not yet on disk (a failed write)
        self._master = b""
        self._run_dir: Path | None = None
        self._used_ids: set[str] = set()
        self._lock = trio.Lock()
        self._failing = False
        self._stamps: tuple[tuple[int, int, int], ...] | None = None  # at the last good sync
        self._watch: PlaylistWatch | None = None  # while run() uses inotify
        if offload is not None:
            offload.attach(self.refresh)

    def new_run_id(self) -> str:
        """A segment-name id no earlier run of this session used."""
        while (run_id := secrets.token_hex(3)) in self._used_ids:
            pass
        self._used_ids.add(run_id)
        return run_id

    async def begin_run(self, run_id: str) -> Path:
        """Prepare the directory the next ffmpeg writes its playlists to; raises OSError when
        the output cannot be written."""
        async with self._lock:
            run_dir = await trio.to_thread.run_sync(self._begin_run, run_id)
            if self._watch is not None and not self._watch_run():
                self._watch = None  # run() polls from its next wake-up on
            return run_dir

    async def sync(self) -> None:
        """Bring the served playlists up to date; a failing disk is logged once, not raised.
        Returns at once when no run playlist changed since the last successful sync."""
        async with self._lock:
            stamps = self._current_stamps()
            if stamps is not None and stamps == self._stamps and not any(self._unwritten):
                return
            try:
                await trio.to_thread.run_sync(self._sync)
                self._stamps = stamps  # taken before reading: a later write changes them again
                self._announce()
            except OSError as exc:
                if not self._failing:
                    self._failing = True
                    log.warning("playlist update failed error=%s (the stream goes on)", exc)
                return
        if self._failing:
            self._failing = False
            log.info("playlist updates succeed again")

    async def refresh(self) -> None:
        """Re-render every variant playlist (the offload's segment URLs changed)."""
        self._unwritten = [True] * len(self._unwritten)
        await self.sync()

    def _announce(self) -> None:
        """Tell the offload of segments newly listed, and of what each playlist lists."""
        if self._offload is None:
            return
        new: list[Written] = []
        windows = [playlist.names() for playlist in self._playlists]
        for index, names in enumerate(windows):
            before = set(self._listed[index])
            folder = self._output.root / str(index)
            new += [Written(index, n, folder / n) for n in names if n not in before]
            self._listed[index] = names
        self._offload.segments_written(new, windows)

    async def run(self) -> None:
        """Keep syncing until cancelled (and offloading, when S3 is on)."""
        if self._offload is None:
            await self._run_sync()
            return
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._offload.run)
            await self._run_sync()

    async def _run_sync(self) -> None:
        """Sync when ffmpeg writes a playlist, else by polling."""
        watch = PlaylistWatch.open()
        if watch is not None:
            try:
                async with self._lock:
                    self._watch = watch if watch.watch(self._run_dirs()) else None
                while self._watch is not None:
                    await self.sync()
                    await watch.wait(RESCAN_INTERVAL)
            finally:
                self._watch = None
                watch.close()
        await periodic(STITCH_INTERVAL, self.sync, first=0)

    def _run_dirs(self) -> list[Path]:
        """The directories the current run writes its playlists to."""
        if self._run_dir is None:
            return []
        return [self._run_dir, *(self._run_dir / str(i) for i in range(len(self._playlists)))]

    def _watch_run(self) -> bool:
        return self._watch is not None and self._watch.watch(self._run_dirs())

    def _current_stamps(self) -> tuple[tuple[int, int, int], ...] | None:
        """(inode, mtime, size) of the current run's playlists (None: no run, or a stat failed):
        a few µs of `os.stat` on the output directory, far cheaper than the thread hop it saves
        on every unchanged tick."""
        run_dir = self._run_dir
        if run_dir is None:
            return None
        paths = [run_dir / MASTER_PLAYLIST]
        paths += [run_dir / str(index) / MASTER_PLAYLIST for index in range(len(self._playlists))]
        try:
            return tuple(_stamp(path) for path in paths)
        except OSError:
            return None  # the worker-thread sync meets the error and logs it

    # ---- blocking parts (worker thread) -----------------------------------------------------

    def _begin_run(self, run_id: str) -> Path:
        root = self._output.root
        run_dir = root / f"{RUN_DIR_PREFIX}{run_id}"
        for index in range(len(self._playlists)):
            (root / str(index)).mkdir(parents=True, exist_ok=True)
            (run_dir / str(index)).mkdir(parents=True, exist_ok=True)
        if self._run_dir is not None:
            self._sync()  # whatever the previous run wrote last
            shutil.rmtree(self._run_dir, ignore_errors=True)
        self._run_dir = run_dir
        self._stamps = None
        anchor = RunAnchor(self._run_start)
        for playlist in self._playlists:
            playlist.start_run(anchor)
        return run_dir

    def _sync(self) -> None:
        run_dir = self._run_dir
        if run_dir is None:
            return
        master = _read(run_dir / MASTER_PLAYLIST)
        if master and master != self._master:
            atomic_write(self._output.master_playlist, master)
            self._master = master
        for index, playlist in enumerate(self._playlists):
            text = _read(run_dir / str(index) / MASTER_PLAYLIST)
            if text and playlist.update(text.decode("utf-8", errors="replace")):
                self._unwritten[index] = True
            if self._unwritten[index]:
                remote = self._remote_uri(index)
                atomic_write(self._output.variant_playlist(index), playlist.render(remote).encode())
                self._unwritten[index] = False

    def _remote_uri(self, index: int) -> Callable[[str], str | None] | None:
        offload = self._offload
        if offload is None:
            return None
        return lambda name: offload.uri(index, name)


def _stamp(path: Path) -> tuple[int, int, int]:
    """What changes when ffmpeg renames a new playlist into place (zeros while missing)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return (0, 0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _read(path: Path) -> bytes:
    """The file's bytes, or b"" while it does not exist yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""

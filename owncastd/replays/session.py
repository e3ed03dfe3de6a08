"""One recording in progress, on disk (blocking calls: run them on a worker thread).

Each sync reads the served live playlist of every recorded variant (`hls/<n>/stream.m3u8`,
continuous across ffmpeg restarts), keeps each newly listed segment in the recording (a hard
link: the live cleanup deleting its name later leaves our copy) and rewrites the recording's
playlist atomically. A live playlist older than the recording (the previous broadcast's, not
yet wiped) is ignored.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from owncastd.core.replays.vod import VodPlaylist, parse_segments
from owncastd.replays.files import MASTER, RecordingFiles

log = logging.getLogger(__name__)


def variant_playlist(index: int) -> str:
    """A variant playlist's name inside a recording."""
    return f"{index}/{MASTER}"


class RecordingSession:
    """The files of one recording while its broadcast goes on."""

    def __init__(
        self,
        files: RecordingFiles,
        hls_dir: Path,
        replay_id: str,
        variants: tuple[int, ...],
        *,
        since_ns: int = 0,
    ) -> None:
        self.files = files
        self.replay_id = replay_id
        self._hls_dir = hls_dir
        self._since_ns = since_ns
        self.playlists = {index: VodPlaylist() for index in variants}
        self.size_bytes = 0

    @classmethod
    def reopen(
        cls, files: RecordingFiles, replay_id: str, variants: tuple[int, ...]
    ) -> RecordingSession:
        """A recording as a crash left it (its playlists read back from disk)."""
        session = cls(files, Path("/nonexistent"), replay_id, variants)
        for index in variants:
            segments, _ = parse_segments(files.read_text(replay_id, variant_playlist(index)))
            kept = [s for s in segments if files.exists(replay_id, f"{index}/{s.name}")]
            session.playlists[index] = VodPlaylist(kept)
        return session

    @property
    def duration(self) -> float:
        """Seconds recorded (the longest variant)."""
        return max((p.duration for p in self.playlists.values()), default=0.0)

    def stamps(self, *others: Path) -> tuple[tuple[int, int, int], ...]:
        """(inode, mtime, size) of the live playlists and of `others` (zeros while missing):
        what changes when the stitcher writes a playlist."""
        paths = [self._hls_dir / str(index) / MASTER for index in self.playlists]
        return tuple(_stamp(path) for path in [*paths, *others])

    def sync(self) -> bool:
        """Take the newly listed live segments; True once every live playlist is ended."""
        ended_all = True
        for index, playlist in self.playlists.items():
            live = self._hls_dir / str(index) / MASTER
            try:
                if os.stat(live).st_mtime_ns < self._since_ns:
                    ended_all = False
                    continue  # the previous broadcast's playlist
                text = live.read_text(errors="replace")
            except FileNotFoundError:
                ended_all = False
                continue
            segments, ended = parse_segments(text)
            ended_all = ended_all and ended
            changed = False
            for segment in segments:
                if playlist.has(segment.name):
                    continue
                source = live.parent / segment.name
                try:
                    self.size_bytes += self.files.take(
                        source, self.replay_id, f"{index}/{segment.name}"
                    )
                except FileNotFoundError:
                    log.debug("segment gone before it was recorded name=%s", segment.name)
                    continue
                playlist.add(segment)
                changed = True
            if changed:
                self._write(index, closed=False)
        return ended_all

    def close(self) -> None:
        """Make every playlist a closed VOD playlist (ENDLIST)."""
        for index in self.playlists:
            self._write(index, closed=True)

    def _write(self, index: int, *, closed: bool) -> None:
        text = self.playlists[index].render(closed=closed)
        self.files.write(self.replay_id, variant_playlist(index), text.encode())


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)

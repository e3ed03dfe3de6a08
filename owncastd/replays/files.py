"""Every file a recording writes or deletes goes through :class:`RecordingFiles` (blocking
calls: run them on a worker thread), so recordings can later be moved to object storage by
changing this one module.

Layout: `recordings/<id>/stream.m3u8` (master), `recordings/<id>/<n>/stream.m3u8` +
segments, `thumbnail.jpg`, `replay.mp4`.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from owncastd.core.atomic_file import write_bytes_atomic

MASTER = "stream.m3u8"
THUMBNAIL = "thumbnail.jpg"
MP4 = "replay.mp4"


class RecordingFiles:
    """The `recordings/` directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, replay_id: str, name: str = "") -> Path:
        """A path inside a recording (`name` relative, "" for its directory)."""
        base = self.root / replay_id
        return base / name if name else base

    def create(self, replay_id: str, variants: tuple[int, ...]) -> None:
        """Make the recording's directories."""
        for index in variants:
            self.path(replay_id, str(index)).mkdir(parents=True, exist_ok=True)

    def write(self, replay_id: str, name: str, data: bytes) -> None:
        """Write a file atomically and durably (temp file, fsync, rename, fsync the dir): a
        crash leaves the old or the new file, never half of one."""
        write_bytes_atomic(self.path(replay_id, name), data, durable=True)

    def read_text(self, replay_id: str, name: str) -> str:
        """A text file of the recording ("" when missing)."""
        try:
            return self.path(replay_id, name).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def take(self, source: Path, replay_id: str, name: str) -> int:
        """Keep a finished live file in the recording (a hard link; a copy across devices);
        returns its size."""
        target = self.path(replay_id, name)
        try:
            os.link(source, target)
        except FileExistsError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(source, target)
        return target.stat().st_size

    def copy_in(self, source: Path, replay_id: str, name: str) -> bool:
        """Copy a file that may change later (the thumbnail); False if it does not exist."""
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            return False
        self.write(replay_id, name, data)
        return True

    def exists(self, replay_id: str, name: str) -> bool:
        """True if the file exists in the recording."""
        return self.path(replay_id, name).is_file()

    def size(self, replay_id: str) -> int:
        """Bytes the recording takes (hard-linked segments counted in full)."""
        total = 0
        for dirpath, _, names in os.walk(self.path(replay_id)):
            for name in names:
                try:
                    total += os.stat(os.path.join(dirpath, name)).st_size
                except FileNotFoundError:
                    continue
        return total

    def delete(self, replay_id: str) -> None:
        """Delete the recording's files."""
        shutil.rmtree(self.path(replay_id), ignore_errors=True)

    def free_bytes(self) -> int:
        """Free space on the recordings' disk."""
        self.root.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(self.root).free

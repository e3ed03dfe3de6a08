"""A small real filesystem to fill up: a tmpfs mounted for one test (needs root).

Tests that use it are skipped, with the reason, where mounting is not allowed; everywhere else
(CI runs as root) they exercise real ENOSPC errors rather than injected ones.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class TinyFs:
    """A mounted tmpfs and a filler file to make it full on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler"

    def fill(self, leave_bytes: int = 0) -> None:
        """Write the filler until only about `leave_bytes` stay free."""
        stat = os.statvfs(self.root)
        free = stat.f_bavail * stat.f_frsize
        size = max(0, free - leave_bytes)
        with self.filler.open("ab") as handle:
            chunk = b"\0" * (1 << 20)
            while size > 0:
                try:
                    handle.write(chunk[: min(size, len(chunk))])
                    handle.flush()
                except OSError:
                    break
                size -= len(chunk)

    def free(self) -> None:
        """Remove the filler."""
        self.filler.unlink(missing_ok=True)

    @property
    def free_bytes(self) -> int:
        stat = os.statvfs(self.root)
        return stat.f_bavail * stat.f_frsize


@contextlib.contextmanager
def mounted_tmpfs(path: Path, size: str) -> Iterator[TinyFs]:
    """Mount a tmpfs of `size` (e.g. "16m") at `path`, or skip the test."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'})")
    try:
        yield TinyFs(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(name="tiny_fs")
def tiny_fs_fixture(tmp_path: Path) -> Iterator[TinyFs]:
    """A 16 MB tmpfs at tmp_path/fs."""
    with mounted_tmpfs(tmp_path / "fs", "16m") as fs:
        yield fs

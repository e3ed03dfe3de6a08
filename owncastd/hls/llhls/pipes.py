"""The pipes ffmpeg writes each variant's fragmented MP4 to (`pipe:<fd>`), read in trio.

Made before ffmpeg starts (the write ends are handed to it with `pass_fds`), the parent's
copies of the write ends closed right after the spawn (so ffmpeg's exit reads as EOF), then
read until EOF into each variant. Reading never stops early: a pipe nobody reads would stall
ffmpeg, and with it the classic output.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Sequence

import trio

from owncastd.hls.llhls.live import LiveVariant

READ_BYTES = 256 * 1024
PIPE_BYTES = 1024 * 1024  # the default limit for unprivileged users (pipe-max-size)


class FragmentPipes:
    """One pipe per variant for one ffmpeg run."""

    def __init__(self, variants: Sequence[LiveVariant]) -> None:
        self._variants = list(variants)
        self._pairs = [os.pipe() for _ in self._variants]
        self._write_open = True
        for _, write in self._pairs:
            # Room for a few seconds of parts (64 KiB by default, ~2 parts): a daemon busy for
            # a moment must not stall ffmpeg, and with it the classic output.
            with contextlib.suppress(OSError, AttributeError):
                fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    @property
    def child_fds(self) -> tuple[int, ...]:
        """The write ends, in variant order, for ffmpeg's `pipe:<fd>` outputs."""
        return tuple(write for _, write in self._pairs)

    def spawned(self) -> None:
        """ffmpeg has its copies: close ours."""
        if self._write_open:
            self._write_open = False
            for _, write in self._pairs:
                os.close(write)

    async def pump(self) -> None:
        """Read every pipe until EOF (ffmpeg exited), feeding the variants."""
        self.spawned()
        for variant in self._variants:
            variant.restart()
        pairs, self._pairs = self._pairs, []  # each read end is its reader's to close now
        async with trio.open_nursery() as nursery:
            for (read, _), variant in zip(pairs, self._variants, strict=True):
                nursery.start_soon(_read_into, read, variant)

    def close(self) -> None:
        """Close whatever is still open (ffmpeg never started, or the pump never ran)."""
        self.spawned()
        for read, _ in self._pairs:
            with contextlib.suppress(OSError):
                os.close(read)
        self._pairs = []


async def _read_into(fd: int, variant: LiveVariant) -> None:
    stream = trio.lowlevel.FdStream(fd)  # takes the fd over (and closes it)
    async with stream:
        while True:
            try:
                chunk = await stream.receive_some(READ_BYTES)
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                return
            if not chunk:
                return
            variant.feed(bytes(chunk))

"""Files held in memory for the lean viewer path, with their response headers precomputed.

`FileCache.fresh(path)` checks a file with one `stat` per request and re-reads it only when
its (mtime_ns, size, inode) changed: playlists (rewritten by ffmpeg and the stitcher), thumbnails,
the logo. `FileCache.immutable(path)` never looks at the disk again once a file is held: HLS
segments and bundled static files, which never change under the same name (as the general
app's ByteCache). Both are bounded by total size, least recently used first out; a file over
a quarter of the bound is served but not kept. Small files are read in the event loop (a
page-cache read of a few KB costs less than a thread hop), bigger ones in a worker thread.
"""

from __future__ import annotations

import os
import stat
from collections import OrderedDict
from collections.abc import Callable

import trio

INLINE_READ_BYTES = 64 * 1024


class CachedFile:
    """One file's bytes, its validator and the header blocks computed for it."""

    __slots__ = ("checked", "data", "etag", "heads", "path", "stamp")

    def __init__(self, data: bytes, stamp: tuple[int, int, int], path: str = "") -> None:
        self.data = data
        self.stamp = stamp
        self.path = path
        self.etag = f'"{stamp[0]:x}-{stamp[1]:x}-{stamp[2]:x}"'
        self.heads: dict[str, bytes] = {}
        self.checked = -1  # the I/O epoch of its last stat (fast_epochs.py)

    def head(self, kind: str, build: Callable[[CachedFile], bytes]) -> bytes:
        """The header block of `kind` for this file, built once."""
        block = self.heads.get(kind)
        if block is None:
            block = self.heads[kind] = build(self)
        return block


def stamp_of(st: os.stat_result) -> tuple[int, int, int]:
    """What tells one version of a file from the next: mtime, size and inode (a file
    replaced by rename, as ffmpeg and the stitcher write playlists, is always a new inode,
    even within one tick of the coarse file-time clock)."""
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _read(path: str) -> tuple[bytes, tuple[int, int, int]] | None:
    """The whole regular file and the stamp of what was read, or None."""
    try:
        with open(path, "rb") as file:
            st = os.fstat(file.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            return file.read(), stamp_of(st)
    except OSError:
        return None


class FileCache:
    """A bounded least-recently-used cache of whole files keyed by path."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._size = 0
        self._items: OrderedDict[str, CachedFile] = OrderedDict()

    async def fresh(self, path: str, since: int | None = None, epoch: int = 0) -> CachedFile | None:
        """The file as it is on disk now (one stat when it is held), or None if missing.
        With `since` (an I/O epoch, fast_epochs.py), a held file whose last stat was made in
        that epoch or a later one is returned without another; `epoch` is the current one."""
        item = self._items.get(path)
        if item is not None and since is not None and item.checked >= since:
            self._items.move_to_end(path)
            return item
        try:
            st = os.stat(path)
        except OSError:
            self._drop(path)
            return None
        if item is not None and stamp_of(st) == item.stamp:
            self._items.move_to_end(path)
            item.checked = epoch
            return item
        loaded = await self._load(path, st.st_size)
        if loaded is not None:
            loaded.checked = epoch
        return loaded

    async def immutable(self, path: str) -> CachedFile | None:
        """The file, from memory once it was read."""
        item = self._items.get(path)
        if item is not None:
            self._items.move_to_end(path)
            return item
        return await self._load(path, INLINE_READ_BYTES + 1)

    async def _load(self, path: str, size_hint: int) -> CachedFile | None:
        if size_hint <= INLINE_READ_BYTES:
            read = _read(path)
        else:
            read = await trio.to_thread.run_sync(_read, path)
        if read is None:
            self._drop(path)
            return None
        item = CachedFile(*read, path)
        self._drop(path)
        if len(item.data) <= self._max // 4:
            self._items[path] = item
            self._size += len(item.data)
            while self._size > self._max:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted.data)
        return item

    def _drop(self, path: str) -> None:
        old = self._items.pop(path, None)
        if old is not None:
            self._size -= len(old.data)

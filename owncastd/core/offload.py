"""HLS segments offloaded to object storage (S3) as Owncast does, without ever stalling ingest.

The playlist stitcher tells a :class:`SessionOffload` of each new segment and of what each variant
playlist lists; segments are uploaded in the background (a bounded queue: the oldest is dropped,
with a log line, when it overflows) and the stitcher asks :meth:`SessionOffload.uri` for each
segment when it renders a playlist: the bucket URL once the segment is in the bucket, else the
local name. So a playlist only points at the bucket for segments that are there, and a viewer
never waits for an upload (the local copy is listed meanwhile). Segments that left the playlist
window (plus `keep_extra`, as the local cleanup keeps) are deleted from the bucket.

When the bucket cannot be reached: every playlist falls back to local URIs, the outage is logged
once and reported as a degraded reason; one queued segment is retried every `retry_interval`,
and once it goes through the rest of the window is uploaded (catch-up) and the playlists point
at the bucket again.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import trio

from owncastd.core.storage import SEGMENT_CACHE, SEGMENT_TYPE, Storage, StorageError

log = logging.getLogger(__name__)

QUEUE_LIMIT = 64
KEEP_EXTRA = 10  # segments kept beyond the window, as hls/output.py keeps locally
RETRY_INTERVAL = 2.0


@dataclass(frozen=True)
class Written:
    """A segment ffmpeg finished: variant index, file name, local path."""

    variant: int
    name: str
    path: Path


def segment_key(variant: int, name: str) -> str:
    """The storage key of a live segment (Owncast's `hls/<variant>/<name>`)."""
    return f"hls/{variant}/{name}"


class SessionOffload:
    """The uploads of one live session. `uri()` may be called from a worker thread."""

    def __init__(
        self,
        storage: Storage,
        variants: int,
        *,
        queue_limit: int = QUEUE_LIMIT,
        keep_extra: int = KEEP_EXTRA,
        retry_interval: float = RETRY_INTERVAL,
    ) -> None:
        self.storage = storage
        self._queue: deque[Written] = deque()
        self._limit = queue_limit
        self._keep_extra = keep_extra
        self._retry = retry_interval
        self._uploaded: list[set[str]] = [set() for _ in range(variants)]
        self._order: list[list[str]] = [[] for _ in range(variants)]  # upload order
        self._window: list[set[str]] = [set() for _ in range(variants)]
        self._wake = trio.Event()
        self._on_change: Callable[[], Awaitable[None]] | None = None
        self.outage: str | None = None  # the reason, while the storage cannot be reached
        self.dropped = 0
        self.running = False  # run() is going (the session is live)

    def attach(self, on_change: Callable[[], Awaitable[None]]) -> None:
        """Call `on_change` when what `uri()` answers changed (the playlists re-render)."""
        self._on_change = on_change

    def uri(self, variant: int, name: str) -> str | None:
        """The bucket URL of an uploaded segment; None: list the local copy."""
        if self.outage is None and name in self._uploaded[variant]:
            return self.storage.url(segment_key(variant, name))
        return None

    def segments_written(self, new: list[Written], windows: list[list[str]]) -> None:
        """New segments to upload, and every variant playlist's listed names now."""
        for index, names in enumerate(windows):
            self._window[index] = set(names)
        self._queue = deque(w for w in self._queue if w.name in self._window[w.variant])
        self._queue.extend(new)
        while len(self._queue) > self._limit:
            gone = self._queue.popleft()
            self.dropped += 1
            log.warning(
                "s3 upload queue full: dropped the oldest segment variant=%d name=%s",
                gone.variant,
                gone.name,
            )
        if new:
            self._wake.set()

    def problem(self) -> str | None:
        """A degraded reason while the storage cannot be reached (and the session is live)."""
        if self.outage is None or not self.running:
            return None
        return f"s3: storage unreachable, video served locally ({self.outage})"

    def keys(self) -> list[str]:
        """Every key this session uploaded and has not deleted."""
        return [segment_key(v, n) for v, names in enumerate(self._order) for n in names]

    async def run(self) -> None:
        """Upload, fall back, catch up and delete until cancelled."""
        self.running = True
        try:
            await self._loop()
        finally:
            self.running = False

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            if self.outage is not None and not await self._probe():
                continue
            batch = [w for w in self._queue if w.name in self._window[w.variant]]
            self._queue.clear()
            failed, reason = await self._upload(batch)
            if failed:
                self._queue.extendleft(reversed(failed))
                await self._fail(reason)
                continue
            await self._changed()
            await self._delete_retired()

    async def _upload(self, batch: list[Written]) -> tuple[list[Written], str]:
        """Upload concurrently (the storage bounds it): the ones that failed, and why."""
        failed: list[Written] = []
        reasons: list[str] = []
        gone: list[Written] = []

        async def one(item: Written) -> None:
            try:
                await self.storage.put(
                    segment_key(item.variant, item.name), item.path, SEGMENT_TYPE, SEGMENT_CACHE
                )
            except FileNotFoundError:
                gone.append(item)  # cleaned up locally before it could go: nothing to list
            except StorageError as exc:
                failed.append(item)
                reasons.append(str(exc))

        async with trio.open_nursery() as nursery:
            for item in batch:
                nursery.start_soon(one, item)
        for item in batch:  # in segment order, for the deletion of the oldest
            if item not in failed and item not in gone:
                self._uploaded[item.variant].add(item.name)
                self._order[item.variant].append(item.name)
        return [w for w in batch if w in failed], reasons[-1] if reasons else ""

    async def _probe(self) -> bool:
        """During an outage: retry the oldest queued segment alone; True once it went."""
        while self._queue:
            head = self._queue.popleft()
            failed, reason = await self._upload([head])
            if not failed and head.name not in self._uploaded[head.variant]:
                continue  # its file was gone: that proves nothing, try the next one
            if not failed:
                log.info("s3 storage reachable again: catching up queued=%d", len(self._queue))
                self.outage = None
                self._wake.set()
                return True
            self._queue.appendleft(head)
            self.outage = reason
            await trio.sleep(self._retry)
        return False  # nothing left to try until the next segment

    async def _fail(self, reason: str) -> None:
        """Enter an outage: log once, point the playlists at local copies, start probing."""
        if self.outage is None:
            log.warning(
                "s3 storage unreachable: serving video locally until it is back error=%s", reason
            )
        self.outage = reason
        await self._changed()
        self._wake.set()

    async def _changed(self) -> None:
        if self._on_change is not None:
            await self._on_change()

    async def _delete_retired(self) -> None:
        """Delete uploaded segments older than the window plus `keep_extra`."""
        retired: list[str] = []
        for variant, order in enumerate(self._order):
            gone = [n for n in order if n not in self._window[variant]]
            old = gone[: max(0, len(gone) - self._keep_extra)]
            for name in old:
                order.remove(name)
                self._uploaded[variant].discard(name)
            retired += [segment_key(variant, n) for n in old]
        if not retired:
            return
        try:
            await self.storage.delete(retired)
        except StorageError as exc:
            log.warning("s3 delete of old segments failed count=%d error=%s", len(retired), exc)


class Offload:
    """Offload across sessions: each live session gets a :class:`SessionOffload` when
    `storage_for()` gives a storage (S3 enabled), and deletes what the previous one left."""

    def __init__(
        self,
        storage_for: Callable[[], Storage | None],
        *,
        keep_extra: int = KEEP_EXTRA,
        retry_interval: float = RETRY_INTERVAL,
    ) -> None:
        self._storage_for = storage_for
        self._keep_extra = keep_extra
        self._retry = retry_interval
        self.current: SessionOffload | None = None
        self._leftover: tuple[Storage, list[str]] | None = None

    def session(self, variants: int) -> SessionOffload | None:
        """The offload of a new live session (None: S3 is off)."""
        if self.current is not None and self.current.keys():
            self._leftover = (self.current.storage, self.current.keys())
        storage = self._storage_for()
        self.current = None
        if storage is not None:
            self.current = SessionOffload(
                storage, variants, keep_extra=self._keep_extra, retry_interval=self._retry
            )
        return self.current

    async def delete_leftovers(self) -> None:
        """Delete the previous session's segments from its bucket (best effort)."""
        leftover, self._leftover = self._leftover, None
        if leftover is not None:
            storage, keys = leftover
            try:
                await storage.delete(keys)
            except StorageError as exc:
                log.warning("s3 delete of the last stream's segments failed error=%s", exc)

    def problem(self) -> str | None:
        """The health check: the current session's outage, if any."""
        return self.current.problem() if self.current is not None else None

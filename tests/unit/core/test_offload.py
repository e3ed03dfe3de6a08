"""The offload's rules without a network: a bounded queue that drops the oldest with a log
line, bucket URIs only for uploaded segments, one log line per outage, and the last stream's
segments deleted by the next (an in-memory Storage; trio's autojump clock)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import trio

from owncastd.core.offload import Offload, SessionOffload, Written
from owncastd.core.storage import StorageError


class MemoryStorage:
    """A Storage in a dict; `down` makes every call fail as an unreachable server would."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.down = False
        self.puts = 0

    async def put(
        self, key: str, data: Path | bytes, content_type: str, cache_control: str = ""
    ) -> None:
        await trio.sleep(0.01)
        self.puts += 1
        if self.down:
            raise StorageError("s3 put: connection refused")
        self.objects[key] = data if isinstance(data, bytes) else str(data).encode()

    async def get(self, key: str) -> bytes:
        return self.objects[key]

    async def delete(self, keys: Sequence[str]) -> None:
        if self.down:
            raise StorageError("s3 delete: connection refused")
        for key in keys:
            self.objects.pop(key, None)

    async def list(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def url(self, key: str) -> str:
        return f"https://bucket.test/{key}"


def segments(folder: Path, numbers: range) -> list[Written]:
    out = []
    for n in numbers:
        path = folder / f"s-{n}.ts"
        path.write_bytes(b"ts%d" % n)
        out.append(Written(0, path.name, path))
    return out


async def changed(offload: SessionOffload, condition: Callable[[], object]) -> None:
    """Wait (on the offload's own change notices) until `condition()` holds."""
    changes = trio.Event()

    async def note() -> None:
        changes.set()

    offload.attach(note)
    while not condition():
        await changes.wait()
        changes = trio.Event()


async def test_uploads_rewrite_only_uploaded_and_the_queue_drops_the_oldest(
    tmp_path: Path, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    storage = MemoryStorage()
    offload = SessionOffload(storage, 1, queue_limit=3, keep_extra=0)
    written = segments(tmp_path, range(5))
    names = [w.name for w in written]
    offload.segments_written(written, [names])  # five new, a queue of three
    assert offload.dropped == 2
    assert caplog.text.count("s3 upload queue full: dropped the oldest segment") == 2
    assert offload.uri(0, "s-4.ts") is None  # not uploaded yet: listed locally
    async with trio.open_nursery() as nursery:
        nursery.start_soon(offload.run)
        await changed(offload, lambda: offload.uri(0, "s-4.ts") is not None)
        assert offload.uri(0, "s-4.ts") == "https://bucket.test/hls/0/s-4.ts"
        assert sorted(storage.objects) == [f"hls/0/s-{n}.ts" for n in (2, 3, 4)]
        assert offload.uri(0, "s-0.ts") is None  # dropped: never in the bucket
        # s-2 leaves the window: deleted from the bucket after the next upload
        offload.segments_written(segments(tmp_path, range(5, 6)), [["s-3.ts", "s-4.ts", "s-5.ts"]])
        await changed(offload, lambda: "hls/0/s-2.ts" not in storage.objects)
        assert offload.keys() == [f"hls/0/s-{n}.ts" for n in (3, 4, 5)]
        nursery.cancel_scope.cancel()


async def test_an_outage_is_logged_once_reported_and_caught_up(
    tmp_path: Path, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    storage = MemoryStorage()
    offload = Offload(lambda: storage, retry_interval=1.0)
    session = offload.session(1)
    assert session is not None
    window: list[str] = []

    def write(numbers: range) -> None:
        new = segments(tmp_path, numbers)
        window.extend(w.name for w in new)
        del window[:-3]
        session.segments_written(new, [list(window)])

    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.run)
        write(range(0, 2))
        await changed(session, lambda: session.uri(0, "s-1.ts") is not None)
        storage.down = True
        write(range(2, 3))
        await changed(session, lambda: session.outage is not None)
        assert session.uri(0, "s-1.ts") is None  # every playlist falls back to local copies
        assert offload.problem() == (
            "s3: storage unreachable, video served locally (s3 put: connection refused)"
        )
        for n in range(3, 8):  # the outage goes on for several segments and probes
            write(range(n, n + 1))
            await trio.sleep(1.5)
        assert caplog.text.count("s3 storage unreachable") == 1
        storage.down = False
        write(range(8, 9))
        await changed(session, lambda: session.outage is None and session.uri(0, "s-8.ts"))
        assert offload.problem() is None
        for name in window:  # caught up: what is still listed is in the bucket
            assert session.uri(0, name) == f"https://bucket.test/hls/0/{name}"
        assert "s3 storage reachable again" in caplog.text
        nursery.cancel_scope.cancel()
    assert offload.problem() is None  # not live: no longer a problem

    leftover = set(storage.objects)
    assert leftover
    assert offload.session(1) is not None
    await offload.delete_leftovers()  # the next stream deletes the last one's segments
    assert not leftover & set(storage.objects)

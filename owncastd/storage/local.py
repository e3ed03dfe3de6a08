"""Objects as files under a directory; the daemon's HTTP serves them under `base_url`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TypeVar

import trio

from owncastd.core.atomic_file import write_bytes_atomic
from owncastd.core.storage import StorageError

_T = TypeVar("_T")


class LocalStorage:
    """:class:`~owncastd.core.storage.Storage` on the local disk (file work on worker threads)."""

    def __init__(self, root: Path, base_url: str = "") -> None:
        self.root = root
        self._base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or any(p in ("..", "/") for p in parts):
            raise StorageError(f"bad key {key!r}")
        return self.root.joinpath(*parts)

    async def put(
        self, key: str, data: Path | bytes, content_type: str, cache_control: str = ""
    ) -> None:
        """Write the object atomically (a temp file renamed into place)."""
        target = self._path(key)
        if isinstance(data, Path):
            data = await trio.to_thread.run_sync(data.read_bytes)  # FileNotFoundError as is
        await _blocking(_write, target, data)

    async def get(self, key: str) -> bytes:
        """The file's bytes."""
        return await _blocking(self._path(key).read_bytes)

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the files (missing ones are fine)."""
        paths = [self._path(k) for k in keys]

        def remove() -> None:
            for path in paths:
                path.unlink(missing_ok=True)

        await _blocking(remove)

    async def list(self, prefix: str = "") -> list[str]:
        """Keys of every file under the root that start with `prefix`."""

        def walk() -> list[str]:
            if not self.root.is_dir():
                return []
            keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*"))
            return sorted(k for k in keys if k.startswith(prefix) and (self.root / k).is_file())

        return await _blocking(walk)

    def url(self, key: str) -> str:
        """`base_url/key`."""
        return f"{self._base_url}/{key}"


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, content)


async def _blocking(fn: Callable[..., _T], *args: object) -> _T:
    try:
        return await trio.to_thread.run_sync(fn, *args)
    except OSError as exc:
        raise StorageError(f"local storage: {exc.strerror or exc}") from None

"""Object storage as the core sees it: put, delete, list and the URL of a key.

Two backends live in :mod:`owncastd.storage`: the local disk and an S3-compatible bucket. HLS
offload (:mod:`owncastd.core.offload`) and replays store objects through this interface only, so
neither knows which backend is behind it. Keys are relative, `/`-separated paths such as
`hls/0/stream-ab12-7.ts`; a backend may add its own prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from owncastd.errors import OwncastdError

SEGMENT_TYPE = "video/mp2t"
PLAYLIST_TYPE = "application/x-mpegURL"
SEGMENT_CACHE = "public, max-age=31557600"  # Owncast's one year for segments
NO_CACHE = "no-cache, no-store, must-revalidate"


class StorageError(OwncastdError):
    """A storage operation failed (after the backend's retries); the message says why and
    never contains credentials."""


class Storage(Protocol):
    """Where objects go. Every method may raise :class:`StorageError`."""

    async def put(
        self, key: str, data: Path | bytes, content_type: str, cache_control: str = ""
    ) -> None:
        """Store `data` (a file's content or bytes) under `key`, replacing any object there."""

    async def get(self, key: str) -> bytes:
        """The object's bytes (StorageError when missing)."""

    async def delete(self, keys: Sequence[str]) -> None:
        """Delete `keys`; a key that is not there is no error."""

    async def list(self, prefix: str = "") -> list[str]:
        """Every key starting with `prefix`, sorted."""

    def url(self, key: str) -> str:
        """Where a viewer fetches the object stored under `key`."""

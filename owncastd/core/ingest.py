"""The contract between an ingest adapter (RTMP) and the stream service.

The RTMP server knows nothing of the stream's state: it asks an :class:`IngestGate` whether a
key is good and for a :class:`Publication` to push media into. Both raise
:class:`~owncastd.errors.PublishRefusedError` subclasses to refuse.
"""

from __future__ import annotations

from typing import Protocol

from owncastd.core.media import FlvTag, StreamDetails


class Publication(Protocol):
    """One accepted publisher's session, from `publish` until the connection ends."""

    async def send(self, tag: FlvTag) -> None:
        """Queue a tag for the transcoder; waits (back-pressure) while the queue is full."""

    def set_details(self, details: StreamDetails) -> None:
        """Record the broadcaster's `onMetaData`."""

    async def wait_disconnect_requested(self) -> str:
        """Return, with the reason to log, when the admin or the transcoder asks to drop this
        publisher (the adapter then closes it)."""

    def end(self) -> None:
        """The publisher is gone (unpublish, EOF, timeout or error). Idempotent."""


class IngestGate(Protocol):
    """Decides who may publish and opens publications."""

    def check_key(self, key: str) -> None:
        """Raise `BadStreamKeyError` unless `key` matches a configured key (constant time)."""

    def begin(self, remote_addr: str) -> Publication:
        """Open a publication, or raise `AlreadyLiveError` if someone is live."""

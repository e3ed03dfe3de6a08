"""The contract between an ingest adapter (RTMP) and the stream service.

The RTMP server knows nothing of the stream's state: it asks an :class:`IngestGate` whether a
key is good and for a :class:`Publication` to push media into. Both raise
:class:`~owncastd.errors.PublishRefusedError` subclasses to refuse.

A publication starts reserved: the stream is announced only when the adapter calls `confirm()`
(its first video tag passed the codec check). A publication that ends unconfirmed (refused for
its codec, or gone) leaves no trace. The tags sent meanwhile wait unread in its queue, so the
adapter confirms after at most `UNDECIDED_TAGS_MAX` of them (an audio-only publisher).
"""

from __future__ import annotations

from typing import Protocol

from owncastd.core.media import FlvTag, StreamDetails

UNDECIDED_TAGS_MAX = 200  # below the session's queue (256 tags): sending never waits unread


class Publication(Protocol):
    """One accepted publisher's session, from `publish` until the connection ends."""

    async def send(self, tag: FlvTag) -> None:
        """Queue a tag for the transcoder; waits (back-pressure) while the queue is full."""

    def set_details(self, details: StreamDetails) -> None:
        """Record the broadcaster's `onMetaData`."""

    async def wait_disconnect_requested(self) -> str:
        """Return, with the reason to log, when the admin or the transcoder asks to drop this
        publisher (the adapter then closes it)."""

    def confirm(self) -> None:
        """The codec passed: announce the stream (idempotent; no-op once ended)."""

    def end(self) -> None:
        """The publisher is gone (unpublish, EOF, timeout or error). Idempotent."""


class IngestGate(Protocol):
    """Decides who may publish and opens publications."""

    def check_key(self, key: str) -> None:
        """Raise `BadStreamKeyError` unless `key` matches a configured key (constant time)."""

    def reserve(self, remote_addr: str) -> Publication:
        """Open an unconfirmed publication, or raise `AlreadyLiveError` if someone is live or
        reserved."""

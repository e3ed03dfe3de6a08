"""What :class:`~owncastd.rtmp.session.ServerSession` reports to its adapter."""

from __future__ import annotations

from dataclasses import dataclass, field

from owncastd.core.codecs import VideoFormat
from owncastd.core.media import FlvTag, StreamDetails


@dataclass(frozen=True, slots=True)
class Connected:
    """`connect` to our application succeeded (replies already queued)."""

    flash_ver: str


@dataclass(frozen=True, slots=True)
class PeerRejected:
    """We refused the peer (unknown application, no `connect`, a second `publish`); close the
    connection once the queued reply is sent."""

    reason: str


@dataclass(frozen=True, slots=True)
class PublishRequested:
    """`publish` arrived. Answer with `accept_publish()` or `refuse_publish()` before more
    events come. `key` is the stream name without any `?query`; never log it."""

    key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class MediaReceived:
    """An audio or video FLV tag from the accepted publisher."""

    tag: FlvTag


@dataclass(frozen=True, slots=True)
class MetadataReceived:
    """`onMetaData`: the broadcaster's stream details, the script tag to forward (if any) and
    the video codec it announces (if it names one)."""

    details: StreamDetails
    tag: FlvTag | None
    video: VideoFormat | None = None


@dataclass(frozen=True, slots=True)
class PublishStopped:
    """The publisher sent FCUnpublish, closeStream or deleteStream."""


@dataclass(frozen=True, slots=True)
class StreamDeleted:
    """deleteStream or closeStream: the peer is done; the connection can close."""


@dataclass(frozen=True, slots=True)
class MessageIgnored:
    """A command or data message was malformed or unknown and was skipped (already answered
    with `_error` when it had a transaction id). `malformed` tells the two apart."""

    reason: str
    malformed: bool


Event = (
    Connected
    | PeerRejected
    | PublishRequested
    | MediaReceived
    | MetadataReceived
    | PublishStopped
    | StreamDeleted
    | MessageIgnored
)

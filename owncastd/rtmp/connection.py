"""One RTMP connection on trio: reads with deadlines, feeds its
:class:`~owncastd.rtmp.session.ServerSession`, and acts on the session's events (publish through the
gate, refuse a codec ffmpeg cannot ingest, drop on an admin disconnect). An accepted publish only
reserves the stream; its first video tag that passes the codec check confirms (announces) it,
so a refused codec leaves no trace. Whatever goes wrong closes this connection only, with one
log line naming the peer (see :mod:`owncastd.rtmp.server`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import trio

from owncastd.core.codecs import IngestFormats, LastRefusal
from owncastd.core.ingest import UNDECIDED_TAGS_MAX, IngestGate, Publication
from owncastd.core.media import StreamDetails
from owncastd.errors import (
    AlreadyLiveError,
    BadStreamKeyError,
    PublishRefusedError,
    RtmpProtocolError,
)
from owncastd.rtmp.admission import KeyGuard
from owncastd.rtmp.codec_guard import CodecGuard
from owncastd.rtmp.events import (
    Connected,
    Event,
    MediaReceived,
    MessageIgnored,
    MetadataReceived,
    PeerRejected,
    PublishRequested,
    PublishStopped,
    StreamDeleted,
)
from owncastd.rtmp.read_batching import SETTLE, ReadBatcher
from owncastd.rtmp.session import ServerSession

log = logging.getLogger("owncastd.rtmp.server")  # one logger for the listener and its connections

RECEIVE_SIZE = 64 * 1024
CLOSE_TIMEOUT = 2.0
PAUSE_SLACK = 1.0
ADMIN_DISCONNECT = "disconnected by the admin"  # the reason when the service gives none
CODEC_REJECTED = "NetStream.Publish.Rejected"


@dataclass(frozen=True, slots=True)
class Timeouts:
    read: float
    handshake: float
    publish: float


class _Closed(Exception):
    """Ends a connection on purpose: why, and how loudly to log it."""

    def __init__(self, reason: str, level: int = logging.WARNING) -> None:
        super().__init__(reason)
        self.reason = reason
        self.level = level


def _refusal(exc: PublishRefusedError) -> str:
    if isinstance(exc, BadStreamKeyError):
        return "Invalid stream key."
    if isinstance(exc, AlreadyLiveError):
        return "A stream is already live."
    return "Publishing refused."


def _lowat_setter(stream: trio.abc.Stream) -> Callable[[int], None] | None:
    """How to set the receive low-water mark of `stream` (None: not a TCP socket)."""
    if not isinstance(stream, trio.SocketStream):
        return None
    return lambda size: stream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, size)


class Connection:
    """One peer: reads with a deadline, feeds the session, acts on its events."""

    def __init__(
        self,
        gate: IngestGate,
        keys: KeyGuard,
        timeouts: Timeouts,
        stream: trio.abc.Stream,
        peer: str,
        client: str,
    ) -> None:
        self._gate = gate
        self._keys = keys
        self._timeouts = timeouts
        self._stream = stream
        self.peer = peer
        self._client = client
        self._timeout = timeouts.read
        self.on_published: Callable[[], None] = lambda: None
        self.codecs = CodecGuard(IngestFormats.everything(), LastRefusal())
        self._session = ServerSession(clock=trio.current_time)
        self._batcher = ReadBatcher(_lowat_setter(stream))
        self._publication: Publication | None = None
        self._decided = False  # the publication was announced, or is being refused
        self._undecided = 0  # tags sent before that
        self._logged_details: StreamDetails | None = None  # the last `rtmp metadata` line
        self._received = 0
        self._disconnect_reason = ""  # why the service asked us to drop the publisher
        self._evicted = False
        self._scope = trio.CancelScope()
        self._accepted_at = trio.current_time()
        self._publish_deadline = trio.CancelScope(
            deadline=self._accepted_at + min(timeouts.handshake, timeouts.publish)
        )

    def evict(self) -> None:
        """Close this connection (not yet publishing) to make room for a newer one."""
        self._evicted = True
        self._scope.cancel()

    async def serve(self) -> None:
        """Serve to the end; `on_published` runs once a publish is accepted."""
        reason, level = "cancelled", logging.INFO
        try:
            with self._scope:
                async with trio.open_nursery() as nursery:
                    reason, level = await self._pump(nursery)
                    nursery.cancel_scope.cancel()
            if self._disconnect_reason:
                reason = self._disconnect_reason
                level = logging.INFO if reason == ADMIN_DISCONNECT else logging.WARNING
            elif self._evicted:
                reason, level = "evicted: too many connections waiting to publish", logging.DEBUG
        finally:
            if self._publication is not None:
                self._publication.end()
            closing_errors = (trio.BrokenResourceError, trio.ClosedResourceError, OSError)
            with (
                trio.move_on_after(CLOSE_TIMEOUT, shield=True),
                contextlib.suppress(*closing_errors),
            ):
                await self._stream.aclose()
            log.log(level, "rtmp connection closed peer=%s reason=%s", self.peer, reason)

    async def _pump(self, nursery: trio.Nursery) -> tuple[str, int]:
        try:
            with self._publish_deadline:
                await self._loop(nursery)
            if not self._session.handshake_done:
                raise _Closed(f"no handshake within {self._timeouts.handshake:g} s")
            raise _Closed(f"no publish within {self._timeouts.publish:g} s")
        except _Closed as closed:
            return closed.reason, closed.level
        except RtmpProtocolError as exc:
            return f"protocol error: {exc}", logging.WARNING
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            cause = exc.__cause__ or exc
            return f"connection lost: {cause!r}", logging.WARNING
        except Exception as exc:  # a bug: show it, but keep it to this connection
            log.error("rtmp connection failed unexpectedly peer=%s", self.peer, exc_info=True)
            return f"internal error: {exc!r}", logging.WARNING

    async def _loop(self, nursery: trio.Nursery) -> NoReturn:
        session = self._session
        while True:
            data = await self._receive()
            if not data:
                raise self._eof()
            self._received += len(data)
            if session.publishing:
                self._batcher.received(len(data), trio.current_time())
            handshaking = not session.handshake_done
            session.receive_data(data)
            if handshaking and session.handshake_done and not session.publishing:
                self._publish_deadline.deadline = self._accepted_at + self._timeouts.publish
            while (event := session.next_event()) is not None:
                await self._on_event(event, nursery)
            await self._flush()

    async def _receive(self) -> bytes:
        """One read within the read timeout (which does not cover the back-pressure wait).

        A deadline that fires more than PAUSE_SLACK late means this process was not running
        (SIGSTOP, a suspended VM, a stalled loop), not that the peer was silent: its data may
        be waiting in the socket. The read is then tried again with a fresh timeout, measured
        from this attempt. (A scope per read: a scope once cancelled stays cancelled.)
        """
        while True:
            now = trio.current_time()
            deadline = now + self._timeout
            settle = now + SETTLE if self._batcher.active else deadline
            with trio.CancelScope(deadline=min(deadline, settle)):
                return bytes(await self._stream.receive_some(RECEIVE_SIZE))
            if settle < deadline:  # batching and nothing came: read what is there again
                self._batcher.idle()
                continue
            late = trio.current_time() - deadline
            if late < PAUSE_SLACK:
                raise _Closed(f"no data for {self._timeout:g} s")
            log.info(
                "rtmp read deadline passed late peer=%s late=%.1fs: reading again", self.peer, late
            )

    def _eof(self) -> _Closed:
        if not self._session.handshake_done:
            if self._received:
                return _Closed(f"truncated handshake ({self._received} bytes)")
            return _Closed("closed before the handshake", logging.DEBUG)
        if self._session.publishing:
            return _Closed("publisher disconnected", logging.INFO)
        return _Closed("peer closed the connection", logging.INFO)

    async def _flush(self) -> None:
        out = self._session.data_to_send()
        if out:
            with trio.move_on_after(self._timeout) as deadline:
                await self._stream.send_all(out)
            if deadline.cancelled_caught:
                raise _Closed(f"could not send for {self._timeout:g} s")

    def _log_details(self, details: StreamDetails) -> None:
        """Log the encoder's details once per change: GStreamer repeats `onMetaData` often."""
        if details == self._logged_details:
            return
        self._logged_details = details
        log.info(
            "rtmp metadata peer=%s video=%s %dx%d@%g audio=%s encoder=%r",
            self.peer,
            details.video_codec,
            details.width,
            details.height,
            details.framerate,
            details.audio_codec,
            details.encoder[:80],
        )

    async def _on_event(self, event: Event, nursery: trio.Nursery) -> None:
        publication = self._publication
        match event:
            case MediaReceived(tag=tag) if publication is not None:
                await self._refuse_codec(self.codecs.check_tag(tag))
                self._confirm_when_decided(publication)
                await publication.send(tag)
            case MetadataReceived(details=details, tag=tag) if publication is not None:
                await self._refuse_codec(self.codecs.check_announced(event.video))
                publication.set_details(details)
                self._log_details(details)
                if tag is not None:
                    self._confirm_when_decided(publication)
                    await publication.send(tag)
            case PublishRequested(key=key):
                await self._start_publication(key, nursery)
            case PublishStopped() if publication is not None:
                publication.end()
                log.info("rtmp publish stopped peer=%s", self.peer)
            case StreamDeleted():
                raise _Closed("the publisher deleted its stream", logging.INFO)
            case PeerRejected(reason=reason):
                await self._flush()
                raise _Closed(f"refused: {reason}")
            case MessageIgnored(reason=reason, malformed=malformed):
                level = logging.WARNING if malformed else logging.INFO
                log.log(level, "rtmp message ignored peer=%s reason=%s", self.peer, reason)
            case Connected(flash_ver=flash_ver):
                handshake = "digest" if self._session.digest_handshake else "simple"
                log.info(
                    "rtmp connect peer=%s handshake=%s flash_ver=%r",
                    self.peer,
                    handshake,
                    flash_ver[:80],
                )

    async def _refuse_codec(self, reason: str | None) -> None:
        """Refuse an accepted publish whose codec ffmpeg cannot ingest (`reason`)."""
        if reason is not None:
            self._decided = True  # refused: nothing may announce it while the answer is sent
            self._session.refuse_publish(f"Unsupported codec: {reason}.", CODEC_REJECTED)
            await self._flush()
            raise _Closed(f"publish refused: {reason}")

    def _confirm_when_decided(self, publication: Publication, *, force: bool = False) -> None:
        """Announce the publication once a video tag passed the codec check, or (undecided)
        after UNDECIDED_TAGS_MAX tags or the publish timeout; called before each send."""
        if self._decided:
            return
        self._undecided += 1
        if force or self.codecs.verified or self._undecided >= UNDECIDED_TAGS_MAX:
            self._decided = True
            publication.confirm()
            log.info("rtmp publish confirmed peer=%s video=%s", self.peer, self.codecs.verified)

    async def _confirm_late(self, publication: Publication) -> None:
        """Announce a publisher that neither sent video nor was refused by the publish timeout
        (a silent one is closed sooner, by the read timeout, with the defaults)."""
        await trio.sleep(self._timeouts.publish)
        self._confirm_when_decided(publication, force=True)

    async def _start_publication(self, key: str, nursery: trio.Nursery) -> None:
        keys, now = self._keys, trio.current_time()
        try:
            if not keys.may_try(self._client, now):
                raise BadStreamKeyError("too many wrong stream keys from this address")
            try:
                self._gate.check_key(key)
            except BadStreamKeyError:
                keys.failed(self._client, now)
                raise
            publication = self._gate.reserve(self.peer)
        except PublishRefusedError as exc:
            self._session.refuse_publish(_refusal(exc))
            await self._flush()
            raise _Closed(f"publish refused: {exc}") from None
        self._publication = publication
        self._session.accept_publish()
        self._publish_deadline.deadline = math.inf
        self.on_published()
        await self._flush()
        nursery.start_soon(self._watch_disconnect, publication, nursery.cancel_scope)
        nursery.start_soon(self._confirm_late, publication)
        log.info("rtmp publish started peer=%s", self.peer)

    async def _watch_disconnect(self, publication: Publication, scope: trio.CancelScope) -> None:
        try:
            reason = await publication.wait_disconnect_requested()
        except Exception:
            log.warning("rtmp disconnect watch failed peer=%s", self.peer, exc_info=True)
            return
        self._disconnect_reason = reason or ADMIN_DISCONNECT
        scope.cancel()

"""The trio side of RTMP ingest: a listener and one task per connection.

Each connection runs a :class:`~owncastd.rtmp.session.ServerSession`. Media goes to the
:class:`~owncastd.core.ingest.Publication` opened by the gate; while `publication.send()` waits
(the transcoder's queue is full) we stop reading, and TCP pushes back on the encoder. Whatever
goes wrong with one connection closes that connection only, with one log line naming the peer.

Until its publish is accepted a peer is a stranger: at most ``max_waiting`` such connections at
once and ``max_waiting_per_client`` from one address (a newcomer evicts the oldest, see
:mod:`~owncastd.rtmp.admission`), each with ``handshake_timeout`` seconds from accept to the end
of the handshake and ``publish_timeout`` to an accepted publish. An address that sent too many
wrong stream keys is closed on accept until its budget refills. A publisher whose video
codec the installed ffmpeg cannot ingest (``formats``) gets `NetStream.Publish.Rejected` and is
closed before any of its video reaches the transcoder (:mod:`~owncastd.rtmp.codec_guard`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn

import trio

from owncastd.core.budget import client_key
from owncastd.core.codecs import IngestFormats, LastRefusal
from owncastd.core.ingest import IngestGate, Publication
from owncastd.core.media import StreamDetails
from owncastd.errors import (
    AlreadyLiveError,
    BadStreamKeyError,
    PublishRefusedError,
    RtmpProtocolError,
    StartupError,
)
from owncastd.rtmp.admission import KeyGuard, RefusalLog, WaitingRoom, peer_host
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

log = logging.getLogger(__name__)

RECEIVE_SIZE = 64 * 1024
CLOSE_TIMEOUT = 2.0
MAX_WAITING = 16
MAX_WAITING_PER_CLIENT = 2
HANDSHAKE_TIMEOUT = 5.0
PUBLISH_TIMEOUT = 15.0
PAUSE_SLACK = 1.0
ADMIN_DISCONNECT = "disconnected by the admin"  # the reason when the service gives none
CODEC_REJECTED = "NetStream.Publish.Rejected"


@dataclass(frozen=True, slots=True)
class _Timeouts:
    read: float
    handshake: float
    publish: float


class _Closed(Exception):
    """Ends a connection on purpose: why, and how loudly to log it."""

    def __init__(self, reason: str, level: int = logging.WARNING) -> None:
        super().__init__(reason)
        self.reason = reason
        self.level = level


def format_peer(address: object) -> str:
    """`host:port` (or `[v6]:port`) of a socket address."""
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


def _refusal(exc: PublishRefusedError) -> str:
    if isinstance(exc, BadStreamKeyError):
        return "Invalid stream key."
    if isinstance(exc, AlreadyLiveError):
        return "A stream is already live."
    return "Publishing refused."


class RtmpServer:
    """RTMP ingest on `host:port` (port 0 picks a free one), publishing through `gate`.

    `read_timeout` bounds each read; `max_waiting`, `max_waiting_per_client`,
    `handshake_timeout` and `publish_timeout` bound the connections that have not (yet) had a
    publish accepted; `key_guard` limits wrong stream keys per address (see the module docstring).
    """

    def __init__(
        self,
        gate: IngestGate,
        host: str,
        port: int,
        *,
        read_timeout: float = 10.0,
        max_waiting: int = MAX_WAITING,
        max_waiting_per_client: int = MAX_WAITING_PER_CLIENT,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        publish_timeout: float = PUBLISH_TIMEOUT,
        key_guard: KeyGuard | None = None,
        formats: IngestFormats | Callable[[], Awaitable[IngestFormats]] | None = None,
        refusals: LastRefusal | None = None,
    ) -> None:
        self._gate = gate
        # A callable is awaited before the first accept (ffmpeg may still be being probed).
        self._formats_source: Callable[[], Awaitable[IngestFormats]] | None = None
        if callable(formats):
            self._formats_source, formats = formats, None
        self._formats = formats or IngestFormats.everything()
        self.refusals = refusals or LastRefusal()
        self._host = host
        self._port = port
        self._timeouts = _Timeouts(read_timeout, handshake_timeout, publish_timeout)
        self._room: WaitingRoom[_Connection] = WaitingRoom(max_waiting, max_waiting_per_client)
        self._keys = key_guard or KeyGuard()
        self._evictions = RefusalLog("evicted", "too many connections waiting to publish")
        self._lockouts = RefusalLog("refused", "too many wrong stream keys")

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Listen and serve until cancelled; `task_status.started(port)` once listening.

        Raises :class:`~owncastd.errors.StartupError` if the address cannot be bound.
        """
        address = format_peer((self._host or "0.0.0.0", self._port))
        try:
            listeners = await trio.open_tcp_listeners(self._port, host=self._host or None)
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise StartupError(f"cannot listen for RTMP on {address}: {detail}") from exc
        port = int(listeners[0].socket.getsockname()[1])
        log.info("rtmp listening host=%s port=%d", self._host or "*", port)
        async with trio.open_nursery() as nursery:
            task_status.started(port)
            if self._formats_source is not None:  # meanwhile connections wait in the backlog
                self._formats = await self._formats_source()
            await trio.serve_listeners(self._handle_socket, listeners, handler_nursery=nursery)

    async def _handle_socket(self, stream: trio.SocketStream) -> None:
        try:
            peer = format_peer(stream.socket.getpeername())
        except OSError:
            peer = "unknown"
        await self.handle_stream(stream, peer)

    @property
    def waiting(self) -> int:
        """Connections open whose publish has not been accepted."""
        return len(self._room)

    async def handle_stream(self, stream: trio.abc.Stream, peer: str) -> None:
        """Serve one connection to its end and close it. Never raises (but cancellation)."""
        client = client_key(peer_host(peer))
        now = trio.current_time()
        if not self._keys.may_try(client, now):
            self._lockouts.note(peer, now)
            log.debug("rtmp connection closed peer=%s reason=too many wrong stream keys", peer)
            with trio.move_on_after(CLOSE_TIMEOUT, shield=True):
                await trio.aclose_forcefully(stream)
            return
        connection = _Connection(self._gate, self._keys, self._timeouts, stream, peer, client)
        connection.codecs = CodecGuard(self._formats, self.refusals)
        connection.on_published = lambda: self._room.leave(connection)
        for evicted in self._room.admit(client, connection):
            evicted.evict()
            self._evictions.note(evicted.peer, now)
        try:
            await connection.serve()
        finally:
            self._room.leave(connection)


def _lowat_setter(stream: trio.abc.Stream) -> Callable[[int], None] | None:
    """How to set the receive low-water mark of `stream` (None: not a TCP socket)."""
    if not isinstance(stream, trio.SocketStream):
        return None
    return lambda size: stream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, size)


class _Connection:
    """One peer: reads with a deadline, feeds the session, acts on its events."""

    def __init__(
        self,
        gate: IngestGate,
        keys: KeyGuard,
        timeouts: _Timeouts,
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
                await publication.send(tag)
            case MetadataReceived(details=details, tag=tag) if publication is not None:
                await self._refuse_codec(self.codecs.check_announced(event.video))
                publication.set_details(details)
                self._log_details(details)
                if tag is not None:
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
            self._session.refuse_publish(f"Unsupported codec: {reason}.", CODEC_REJECTED)
            await self._flush()
            raise _Closed(f"publish refused: {reason}")

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
            publication = self._gate.begin(self.peer)
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
        log.info("rtmp publish started peer=%s", self.peer)

    async def _watch_disconnect(self, publication: Publication, scope: trio.CancelScope) -> None:
        try:
            reason = await publication.wait_disconnect_requested()
        except Exception:
            log.warning("rtmp disconnect watch failed peer=%s", self.peer, exc_info=True)
            return
        self._disconnect_reason = reason or ADMIN_DISCONNECT
        scope.cancel()

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

import logging
from collections.abc import Awaitable, Callable

import trio

from owncastd.core.budget import client_key
from owncastd.core.codecs import IngestFormats, LastRefusal
from owncastd.core.ingest import IngestGate
from owncastd.errors import StartupError
from owncastd.rtmp.admission import KeyGuard, RefusalLog, WaitingRoom, peer_host
from owncastd.rtmp.codec_guard import CodecGuard
from owncastd.rtmp.connection import CLOSE_TIMEOUT, Connection, Timeouts

log = logging.getLogger(__name__)

MAX_WAITING = 16
MAX_WAITING_PER_CLIENT = 2
HANDSHAKE_TIMEOUT = 5.0
PUBLISH_TIMEOUT = 15.0


def format_peer(address: object) -> str:
    """`host:port` (or `[v6]:port`) of a socket address."""
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


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
        self._timeouts = Timeouts(read_timeout, handshake_timeout, publish_timeout)
        self._room: WaitingRoom[Connection] = WaitingRoom(max_waiting, max_waiting_per_client)
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
        connection = Connection(self._gate, self._keys, self._timeouts, stream, peer, client)
        connection.codecs = CodecGuard(self._formats, self.refusals)
        connection.on_published = lambda: self._room.leave(connection)
        for evicted in self._room.admit(client, connection):
            evicted.evict()
            self._evictions.note(evicted.peer, now)
        try:
            await connection.serve()
        finally:
            self._room.leave(connection)

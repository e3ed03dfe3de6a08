"""One outbound HTTP/1.1 connection: connect (TLS with SNI and a hostname check for https),
one request/response exchange at a time with h11, and the idle-readability check before reuse.

Failures raise :class:`OutboundError`, whose message names the host and the reason only (never a
header or a body, which may carry a token).
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Sequence

import h11
import trio

READ_SIZE = 65536
Header = tuple[str, str]


class OutboundError(Exception):
    """A request that got no usable answer: `host` and `reason` ("refused", "reset", "timeout",
    "bad response", "too large", "TLS", …) are in the message."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host, self.reason = host, reason


class NothingReceived(OutboundError):
    """The connection failed before the server sent any byte of an answer (a reused
    connection the server had closed: the client retries once on a fresh one)."""


def _reason(exc: BaseException) -> str:
    """A short reason for a socket/TLS failure (no secrets: exception types and errno names)."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, socket.gaierror):
        return "name not resolved"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failure ({exc.reason})"
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, BaseExceptionGroup) and cause.exceptions:
        cause = cause.exceptions[0]  # trio's connection attempts (happy eyeballs)
    if type(exc) in (OSError, trio.BrokenResourceError) and cause not in (None, exc):
        return _reason(cause)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, trio.BrokenResourceError)):
        return "reset"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


class Connection:
    """A connected stream to (scheme, host, port) and its h11 state."""

    def __init__(self, host: str, stream: trio.abc.Stream, sock: trio.socket.SocketType) -> None:
        self.host = host
        self.stream, self._sock = stream, sock
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0

    @classmethod
    async def open(
        cls, scheme: str, host: str, port: int, ssl_context: ssl.SSLContext | None
    ) -> Connection:
        """Connect (and shake hands for https); OutboundError on failure."""
        where = f"{host}:{port}"
        try:
            tcp = await trio.open_tcp_stream(host, port)
        except OSError as exc:
            raise OutboundError(where, _reason(exc)) from None
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme != "https":
            return cls(where, tcp, tcp.socket)
        context = ssl_context or ssl.create_default_context()
        tls = trio.SSLStream(tcp, context, server_hostname=host, https_compatible=True)
        try:
            await tls.do_handshake()
        except (trio.BrokenResourceError, OSError) as exc:
            await trio.aclose_forcefully(tcp)
            raise OutboundError(where, _reason(exc)) from None
        return cls(where, tls, tcp.socket)

    def reusable(self) -> bool:
        """Idle and still open: nothing to read (a readable idle socket means the server closed
        it or sent something unasked: either way it is not reused)."""
        if self.h11.our_state is not h11.IDLE or self._sock.fileno() < 0:
            return False
        poller = select.poll()  # (not select(): the daemon's descriptors pass 1024)
        poller.register(self._sock.fileno(), select.POLLIN)
        return not poller.poll(0)

    async def exchange(
        self, method: str, target: str, headers: Sequence[Header], body: bytes, max_body: int
    ) -> tuple[int, list[Header], bytes]:
        """Send one request and read its whole answer (at most `max_body` bytes of body)."""
        try:
            request = h11.Request(method=method, target=target, headers=list(headers))
            data = self.h11.send(request) or b""
        except (h11.LocalProtocolError, UnicodeError):  # (a header h11 will not send as is)
            raise OutboundError(self.host, "bad request header") from None
        received = False
        try:
            if body:
                data += self.h11.send(h11.Data(data=body)) or b""
            data += self.h11.send(h11.EndOfMessage()) or b""
            await self.stream.send_all(data)
            response: h11.Response | None = None
            chunks: list[bytes] = []
            size = 0
            while True:
                event = self.h11.next_event()
                if event is h11.NEED_DATA:
                    incoming = await self.stream.receive_some(READ_SIZE)
                    received = received or bool(incoming)
                    self.h11.receive_data(bytes(incoming))
                elif isinstance(event, h11.Response):
                    response = event
                elif isinstance(event, h11.Data):
                    size += len(event.data)
                    if size > max_body:
                        raise OutboundError(self.host, f"too large (over {max_body} bytes)")
                    chunks.append(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise h11.RemoteProtocolError("closed before the answer")
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError) as exc:
            raise self._failure(received, _reason(exc)) from None
        except h11.ProtocolError as exc:
            reason = "closed" if not received else f"bad response ({str(exc)[:100]})"
            raise self._failure(received, reason) from None
        assert response is not None
        answer = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
        return response.status_code, answer, b"".join(chunks)

    def _failure(self, received: bool, reason: str) -> OutboundError:
        return OutboundError(self.host, reason) if received else NothingReceived(self.host, reason)

    def finish(self) -> bool:
        """After a complete exchange: ready the next cycle; False when the connection must
        close (``Connection: close``, an HTTP/1.0 server, or a state h11 cannot reuse)."""
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            return True
        return False

    async def aclose(self) -> None:
        """Close at once (no TLS close_notify wait)."""
        await trio.aclose_forcefully(self.stream)

    def close_now(self) -> None:
        """Close the socket without waiting (an idle connection evicted from the pool)."""
        self._sock.close()

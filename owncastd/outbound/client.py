"""A keep-alive HTTP/1.1 client on trio + h11 for the daemon's high-volume outbound requests.

Compared with httpx it does only what those senders need (one request, whole answer, no
redirects, cookies, auth or decompression), at a fraction of the CPU per request:

- idle connections pooled per (scheme, host, port), at most `max_idle` in all and
  `max_idle_per_host` each, dropped after `idle_seconds`, and checked for readability before
  reuse (a server that closed an idle connection); a reused connection that fails before any
  answer byte is retried once on a fresh one;
- at most `max_connections` requests in flight in all and `max_per_host` to one host (more wait);
- https through `ssl.create_default_context()` (SNI, hostname check) or the given context;
- an answer over `max_body` bytes, a refused/reset connection or a malformed answer raise
  :class:`OutboundError`; each request runs under `timeout` seconds (callers may add their own
  ``trio.fail_after``).

Proxies are not handled here: callers check :func:`owncastd.outbound.proxy_env.proxy_for`
and use httpx when a proxy applies.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import trio

from owncastd.outbound.connection import Connection, Header, NothingReceived, OutboundError

__all__ = ["LeanClient", "OutboundError"]

Key = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


class LeanClient:
    """Pooled HTTP/1.1 requests; :meth:`aclose` closes the idle connections."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_connections: int = 64,
        max_per_host: int = 64,
        max_idle: int = 32,
        max_idle_per_host: int = 32,
        idle_seconds: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = trio.current_time,
    ) -> None:
        self.timeout, self.idle_seconds = timeout, idle_seconds
        self._max_idle, self._max_idle_per_host = max_idle, max_idle_per_host
        self._per_host = max_per_host
        self._slots = trio.Semaphore(max_connections)
        self._host_slots: dict[Key, trio.Semaphore] = {}
        self._idle: dict[Key, list[Connection]] = {}
        self._idle_count = 0
        self._swept = 0.0
        self._clock = clock
        self._ssl_context = ssl_context
        self._headers = [(k, v) for k, v in (headers or {}).items()]
        self.connections_opened = 0  # (for tests and benchmarks)

    async def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        max_body: int = 1 << 20,
    ) -> tuple[int, list[Header], bytes]:
        """(status, headers, body) of `method url`; OutboundError for no usable answer."""
        key, target, netloc = _split(url)
        sent = _merge(self._headers, headers, netloc, method, body)
        host_slot = self._host_slots.get(key)
        if host_slot is None:
            host_slot = self._host_slots[key] = trio.Semaphore(self._per_host)
        try:
            with trio.fail_after(self.timeout):
                async with host_slot, self._slots:
                    return await self._send(key, method, target, sent, body, max_body)
        except trio.TooSlowError:
            raise OutboundError(netloc, "timeout") from None

    async def _send(
        self, key: Key, method: str, target: str, headers: list[Header], body: bytes, cap: int
    ) -> tuple[int, list[Header], bytes]:
        conn = await self._checkout(key)
        reused = conn is not None
        if conn is None:
            conn = await self._open(key)
        while True:
            try:
                answer = await conn.exchange(method, target, headers, body, cap)
            except NothingReceived:
                await conn.aclose()
                if not reused:
                    raise
                reused = False
                conn = await self._open(key)
                continue
            except BaseException:
                await conn.aclose()
                raise
            if conn.finish():
                self._checkin(key, conn)
            else:
                await conn.aclose()
            return answer

    async def _open(self, key: Key) -> Connection:
        conn = await Connection.open(*key, self._ssl_context)
        self.connections_opened += 1
        return conn

    async def _checkout(self, key: Key) -> Connection | None:
        """The most recently used idle connection to `key` still fit for reuse, if any."""
        idle = self._idle.get(key)
        stale: list[Connection] = []
        found = None
        deadline = self._clock() - self.idle_seconds
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if conn.idle_since >= deadline and conn.reusable():
                found = conn
                break
            stale.append(conn)
        for conn in stale:
            conn.close_now()
        return found

    def _checkin(self, key: Key, conn: Connection) -> None:
        now = self._clock()
        if now - self._swept > self.idle_seconds:
            self._sweep(now)
        idle = self._idle.setdefault(key, [])
        if len(idle) >= self._max_idle_per_host or self._idle_count >= self._max_idle:
            self._drop_oldest(idle if len(idle) >= self._max_idle_per_host else None)
        conn.idle_since = now
        idle.append(conn)
        self._idle_count += 1

    def _sweep(self, now: float) -> None:
        """Close the idle connections past `idle_seconds` of every host, forget unused hosts."""
        self._swept = now
        for key, conns in list(self._idle.items()):
            fresh = [c for c in conns if c.idle_since >= now - self.idle_seconds]
            for conn in conns:
                if conn not in fresh:
                    conn.close_now()
            self._idle_count -= len(conns) - len(fresh)
            if fresh:
                self._idle[key] = fresh
            else:
                del self._idle[key]
        for key, slot in list(self._host_slots.items()):
            if slot.value == self._per_host and not slot.statistics().tasks_waiting:
                del self._host_slots[key]

    def _drop_oldest(self, among: list[Connection] | None) -> None:
        """Close the oldest idle connection (of `among`, or of the whole pool)."""
        if among is None:
            candidates = [conns for conns in self._idle.values() if conns]
            among = min(candidates, key=lambda conns: conns[0].idle_since)
        oldest = among.pop(0)
        self._idle_count -= 1
        oldest.close_now()

    async def aclose(self) -> None:
        """Close every idle connection (requests in flight finish on theirs)."""
        idle, self._idle, self._idle_count = self._idle, {}, 0
        for conns in idle.values():
            for conn in conns:
                conn.close_now()
        await trio.lowlevel.checkpoint()


def _split(url: str) -> tuple[Key, str, str]:
    """((scheme, host, port), request target, netloc) of an absolute http(s) URL."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in DEFAULT_PORTS or not host:
        raise OutboundError(parts.netloc[:200] or "?", "not an http(s) URL")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise OutboundError(parts.netloc[:200], "bad port") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (scheme, host, port), target, parts.netloc[:200]


def _merge(
    base: list[Header], extra: Mapping[str, str] | None, netloc: str, method: str, body: bytes
) -> list[Header]:
    """The request's headers: the client's, the call's (which win), Host, Content-Length."""
    given = dict(extra or {})
    lower = {name.lower() for name in given}
    headers = [(k, v) for k, v in base if k.lower() not in lower]
    headers.extend(given.items())
    if "host" not in lower:
        headers.insert(0, ("Host", netloc))
    if "content-length" not in lower and (body or method in ("POST", "PUT", "PATCH")):
        headers.append(("Content-Length", str(len(body))))
    return headers

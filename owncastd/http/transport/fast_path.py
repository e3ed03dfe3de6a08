"""The lean viewer path: the requests every viewer repeats every few seconds, answered from
memory without the web framework.

The front door hands it every connection that is not a chat upgrade. It serves `GET`/`HEAD`
of `/hls/**` (playlists and segments), `/api/ping`, `/api/status`, `/thumbnail.jpg`,
`/preview.gif`, `/logo` and `/static/**`, and the Chatwoot bridge's two POSTs in their plain
case (fast_posts.py), with the general app's answers (same status, JSON,
CORS and caching headers; `/api/status` from the same builder), keep-alive and pipelining.
Segments also answer `If-None-Match` (304) and `Range` (206/416). The first request that is
anything else (another route, another method, a body, a path that is not plainly clean, e.g.
`..` or percent-escapes) ends its part: `serve` returns the unread bytes and the front door
replays them to hypercorn, which serves the rest of the connection.

Limits (ConnectionLimits): a request head larger than `max_header_bytes` gets 431, a
malformed one 400; the next head must arrive within `keep_alive_timeout`; each 64 KiB of a
response must be taken within `write_timeout`, else the connection is closed. Bodies are the
cached `bytes` themselves (sent as memoryview slices): a reader that never reads holds no
copy, only a reference to the one shared segment, until the write timeout closes it.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import trio

from owncastd.core.viewers import client_ip
from owncastd.http.context import WebContext
from owncastd.http.public.files import content_type
from owncastd.http.public.shared import (
    IMAGE_HEADERS,
    LOGO_CACHE_CONTROL,
    NO_CACHE,
    SEGMENT_CACHE_BYTES,
    SEGMENT_CACHE_CONTROL,
    STATIC_CACHE_BYTES,
    STATIC_CACHE_CONTROL,
    THUMBNAIL_CACHE_CONTROL,
    pick_logo,
    status_payload,
)
from owncastd.http.transport.fast_epochs import IoEpochs
from owncastd.http.transport.fast_files import CachedFile, FileCache
from owncastd.http.transport.fast_http import (
    DateHeader,
    Request,
    header_block,
    log_access,
    parse_head,
    plain_answer,
    response_head,
)
from owncastd.http.transport.fast_idle import IdleCloser, IdleWait
from owncastd.http.transport.fast_llhls import LowLatencyRoutes
from owncastd.http.transport.fast_posts import FastPosts
from owncastd.http.transport.fast_ranges import segment_reply
from owncastd.http.transport.fast_send import (
    receive_on_socket,
    send_file_on_socket,
    send_on_socket,
    write_now,
)
from owncastd.http.transport.limits import ConnectionLimits

PLAYLIST_CACHE_BYTES = 8 * 1024 * 1024
WRITE_CHUNK = 64 * 1024
RECEIVE_BYTES = 64 * 1024
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024
EXACT_ROUTES = frozenset({"/api/ping", "/api/status", "/thumbnail.jpg", "/preview.gif", "/logo"})
_FILE_ROUTE = re.compile(r"^/(?:hls|static)(?:/[A-Za-z0-9][A-Za-z0-9._-]*)+$")
_CORS = [("access-control-allow-origin", "*")]

Reply = tuple[int, bytes, bytes | CachedFile]  # status, header block, body (or whole file)


def json_body(payload: object) -> bytes:
    """JSON as the general app's `jsonify` writes it (compact, ASCII, a final newline)."""
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def _fixed(status: int, headers: list[tuple[str, str]], data: bytes) -> Reply:
    return (status, header_block(headers), data)


def _not_found(message: str, cors: bool) -> Reply:
    headers = [("content-type", "application/json"), *(_CORS if cors else [])]
    return _fixed(404, headers, json_body({"success": False, "message": message}))


NOT_FOUND = _not_found("not found", cors=False)
NOT_FOUND_CORS = _not_found("not found", cors=True)
NO_PREVIEW = _not_found("no preview while offline", cors=False)
NO_LOGO = _not_found("no logo", cors=False)
PING = _fixed(200, [("content-type", "text/html; charset=utf-8")], b"")
BAD_REQUEST = plain_answer(400, "malformed request")
TOO_LARGE = plain_answer(431, "request header too large")


def is_fast_route(request: Request) -> bool:
    """Whether the lean path answers `request` (else the general app does)."""
    if request.method not in ("GET", "HEAD") or request.has_body:
        return False
    path = request.path
    return path in EXACT_ROUTES or _FILE_ROUTE.match(path) is not None


class FastPath:
    """Serves the hot viewer requests of one web listener from memory."""

    def __init__(
        self, ctx: WebContext, limits: ConnectionLimits, access_log: logging.Logger | None = None
    ) -> None:
        self._ctx = ctx
        self._limits = limits
        self._access_log = access_log
        self._hls_dir = str(ctx.paths.hls_dir)
        self._static_dir = str(ctx.paths.static_dir)
        self._playlists = FileCache(PLAYLIST_CACHE_BYTES)
        self._segments = FileCache(SEGMENT_CACHE_BYTES)
        self._static = FileCache(STATIC_CACHE_BYTES)
        self._date = DateHeader()
        self._low_latency = LowLatencyRoutes(ctx.low_latency, self._count_viewer)
        self._posts = FastPosts(ctx) if ctx.chatwoot is not None else None
        self.idle = IdleCloser()  # keeps the keep-alive deadlines while `run` runs
        self.epochs = IoEpochs()  # counts I/O waits while `run` runs

    async def run(self) -> None:
        """The listener's helpers (fast_idle.py, fast_epochs.py), until cancelled or
        `self.idle.stop()`."""
        trio.lowlevel.add_instrument(self.epochs)
        try:
            await self.idle.run()
        finally:
            trio.lowlevel.remove_instrument(self.epochs)

    async def serve(self, stream: trio.abc.Stream, data: bytes, peer: str) -> bytes | None:
        """Answer requests on `stream` (`data`: bytes already read from it) while they are
        lean-path ones. Returns the unanswered bytes when a request is not (the caller hands
        them and the connection on), None when the connection is finished (closed or to be
        closed by the caller)."""
        idle = None
        if isinstance(stream, trio.SocketStream) and self.idle.running:
            idle = IdleWait(stream.socket, 0.0)
        try:
            return await self._serve(stream, data, peer, idle)
        finally:
            if idle is not None:
                idle.done = True

    async def _serve(
        self, stream: trio.abc.Stream, data: bytes, peer: str, idle: IdleWait | None
    ) -> bytes | None:
        limit = self._limits.max_header_bytes
        deadline = trio.current_time() + self._limits.keep_alive_timeout
        since = None  # the I/O epoch that woke the connection for the head read last
        while True:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                if len(data) >= limit:
                    await self._refuse(stream, TOO_LARGE)
                    return None
                if idle is None:
                    more = await self._receive(stream, deadline)
                else:
                    more = await self.idle.receive(idle, deadline, RECEIVE_BYTES)
                    since = self.epochs.now
                if not more:
                    return None
                data += more
                continue
            if end + 4 > limit:
                await self._refuse(stream, TOO_LARGE)
                return None
            request = parse_head(data[:end])
            if request is None:
                await self._refuse(stream, BAD_REQUEST)
                return None
            if is_fast_route(request):
                data = data[end + 4 :]
                status, headers, reply = await self.reply(request, peer, since)
            else:
                posted, data = await self._post(stream, request, data, end, peer)
                if posted is None:
                    return data
                status, headers, reply = posted
            since = None  # a pipelined head after it was read without a wait
            keep_alive = request.keep_alive
            source, body = (reply, reply.data) if isinstance(reply, CachedFile) else (None, reply)
            head = response_head(status, headers, len(body), self._date.line(), request)
            if request.method == "HEAD":
                body, source = b"", None
            sent = await self._send(stream, head, body, source)
            if self._access_log is not None:
                log_access(self._access_log, peer, request, status, len(body))
            if not sent or not keep_alive:
                return None
            if data:  # pipelined: the next one is read already, so no receive yields before it
                await trio.lowlevel.checkpoint()
            deadline = trio.current_time() + self._limits.keep_alive_timeout

    async def _post(
        self, stream: trio.abc.Stream, request: Request, data: bytes, end: int, peer: str
    ) -> tuple[Reply | None, bytes]:
        """A lean-path POST (fast_posts.py): its answer and the bytes after its body, or None
        and every byte read (head and body included) for the general app to serve."""
        length = self._posts.wants(request) if self._posts is not None else None
        if length is None or self._posts is None:
            return None, data
        want = end + 4 + length
        deadline = trio.current_time() + self._limits.body_timeout
        while len(data) < want:
            more = await self._receive(stream, deadline)
            if not more:
                return None, data
            data += more
        answer = await self._posts.answer(request, data[end + 4 : want], peer)
        return (None, data) if answer is None else (answer, data[want:])

    async def _refuse(self, stream: trio.abc.Stream, answer: bytes) -> None:
        """Send a final error answer, then read away what the client is still sending for
        a moment (a lingering close): closing with unread input would reset the connection
        and the client could lose the answer."""
        if not await self._send(stream, answer, b""):
            return
        with trio.move_on_after(LINGER_SECONDS):
            try:
                if isinstance(stream, trio.abc.HalfCloseableStream):
                    await stream.send_eof()
                drained = 0
                while drained < LINGER_BYTES:
                    chunk = await stream.receive_some(RECEIVE_BYTES)
                    if not chunk:
                        return
                    drained += len(chunk)
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                return

    async def _receive(self, stream: trio.abc.Stream, deadline: float) -> bytes:
        """More of a request head, by `deadline` (the whole head of a request after the first
        must arrive within the keep-alive timeout); b"" on timeout or EOF."""
        try:
            with trio.move_on_at(deadline):
                if isinstance(stream, trio.SocketStream):
                    return await receive_on_socket(stream.socket, RECEIVE_BYTES)
                return bytes(await stream.receive_some(RECEIVE_BYTES))
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            pass
        return b""

    async def _send(
        self, stream: trio.abc.Stream, head: bytes, body: bytes, source: CachedFile | None = None
    ) -> bool:
        """Write a response (a whole large file with sendfile when it is still on disk);
        False when the reader took too long or went away."""
        timeout = self._limits.write_timeout
        try:
            if source is not None and isinstance(stream, trio.SocketStream):
                sent = await send_file_on_socket(stream.socket, head, source, timeout)
                if sent is not None:
                    return sent
            if len(body) <= WRITE_CHUNK:
                whole = head + body if body else head
                if isinstance(stream, trio.SocketStream):
                    whole = whole[write_now(stream.socket, whole) :]
                    if not whole:
                        return True
                with trio.move_on_after(timeout) as scope:
                    await stream.send_all(whole)
                return not scope.cancelled_caught
            if isinstance(stream, trio.SocketStream):
                return await send_on_socket(stream.socket, [head, body], timeout)
            with trio.move_on_after(timeout) as scope:
                await stream.send_all(head)
            view = memoryview(body)
            for start in range(0, len(view), WRITE_CHUNK):
                if scope.cancelled_caught:
                    return False
                with trio.move_on_after(timeout) as scope:
                    await stream.send_all(view[start : start + WRITE_CHUNK])
            return not scope.cancelled_caught
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            return False

    async def reply(self, request: Request, peer: str, since: int | None = None) -> Reply:
        """The answer to a lean-path request (`since`: the I/O epoch that woke it, if any)."""
        path = request.path
        if path.startswith("/hls/"):
            return await self._hls(request, path[5:], peer, since)
        if path.startswith("/static/"):
            return await self._static_file(path[8:])
        if path == "/api/ping":
            self._count_viewer(request, peer)
            return PING
        if path == "/api/status":
            headers = [("content-type", "application/json"), ("cache-control", NO_CACHE)]
            return _fixed(200, headers, json_body(await status_payload(self._ctx)))
        if path == "/logo":
            return await self._logo(LOGO_CACHE_CONTROL)
        if path == "/thumbnail.jpg":
            return await self._thumbnail()
        return await self._preview()

    def _count_viewer(self, request: Request, peer: str) -> None:
        headers = request.headers
        trusted = self._ctx.settings.current.web.trusted_proxies
        ip = client_ip(peer, headers.get("x-forwarded-for"), trusted)
        self._ctx.viewers.seen(ip, headers.get("user-agent", ""))

    async def _hls(self, request: Request, relative: str, peer: str, since: int | None) -> Reply:
        if relative.startswith("ll/"):
            return await self._low_latency.reply(request, relative[3:], peer)
        if relative.endswith(".m3u8"):
            path = f"{self._hls_dir}/{relative}"
            item = await self._playlists.fresh(path, since, self.epochs.now)
            if item is None:
                return NOT_FOUND_CORS
            self._count_viewer(request, peer)
            return (200, item.head("playlist", _playlist_headers), item.data)
        if relative.endswith(".ts"):
            item = await self._segments.immutable(f"{self._hls_dir}/{relative}")
            if item is None:
                return NOT_FOUND_CORS
            return segment_reply(item, request.headers, _segment_headers)
        return NOT_FOUND

    async def _static_file(self, relative: str) -> Reply:
        item = await self._static.immutable(f"{self._static_dir}/{relative}")
        if item is None:
            return NOT_FOUND
        head = item.head(
            "static", lambda _: _headers(content_type(Path(relative)), STATIC_CACHE_CONTROL)
        )
        return (200, head, item.data)

    async def _logo(self, cache_control: str) -> Reply:
        ctx = self._ctx
        logo = pick_logo(ctx.paths, ctx.settings.current.server.logo)
        item = await self._playlists.fresh(str(logo)) if logo is not None else None
        if logo is None or item is None:
            return NO_LOGO
        kind = content_type(logo)
        head = item.head(
            f"logo {kind} {cache_control}",
            lambda _: _headers(kind, cache_control, list(IMAGE_HEADERS.items())),
        )
        return (200, head, item.data)

    async def _thumbnail(self) -> Reply:
        if self._ctx.snapshots is not None:
            self._ctx.snapshots.want_thumbnail()
        if self._ctx.stream.is_live:
            path = self._ctx.paths.thumbnails_dir / "thumbnail.jpg"
            item = await self._playlists.fresh(str(path))
            if item is not None:
                head = item.head("jpeg", lambda _: _headers("image/jpeg", THUMBNAIL_CACHE_CONTROL))
                return (200, head, item.data)
        return await self._logo(THUMBNAIL_CACHE_CONTROL)

    async def _preview(self) -> Reply:
        if self._ctx.snapshots is not None:
            self._ctx.snapshots.want_preview()
        if not self._ctx.stream.is_live:
            return NO_PREVIEW
        path = self._ctx.paths.thumbnails_dir / "preview.gif"
        item = await self._playlists.fresh(str(path))
        if item is None:
            return NO_PREVIEW
        head = item.head("gif", lambda _: _headers("image/gif", THUMBNAIL_CACHE_CONTROL))
        return (200, head, item.data)


def _headers(kind: str, cache_control: str, extra: list[tuple[str, str]] | None = None) -> bytes:
    headers = [("content-type", kind), ("cache-control", cache_control), *(extra or [])]
    return header_block(headers)


def _playlist_headers(_: CachedFile) -> bytes:
    return _headers("application/x-mpegURL", NO_CACHE, _CORS)


def _segment_headers(item: CachedFile) -> bytes:
    return _headers(
        "video/mp2t",
        SEGMENT_CACHE_CONTROL,
        [*_CORS, ("etag", item.etag), ("accept-ranges", "bytes")],
    )

"""The lean viewer path under abuse, over real sockets through the front door: each abuse gets
its clean answer (or is closed at its deadline) and an ordinary viewer is still served."""

from __future__ import annotations

import resource
from pathlib import Path

import trio

from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.fast_fixtures import FastHarness, build_fast_web
from tests.component.http_fixtures import read_http_response

SEGMENT = bytes(range(256)) * 16 * 1024  # 4 MiB: more than the socket buffers hold
PLAYLIST = b"#EXTM3U\n#EXTINF:2.0,\nseg-1.ts\n"
PING = b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"


async def _serve(
    nursery: trio.Nursery, tmp_path: Path, **limits: object
) -> tuple[int, FastHarness, HttpServer]:
    web = build_fast_web(tmp_path)
    web.write(web.paths.hls_dir, "0/stream.m3u8", PLAYLIST)
    web.write(web.paths.hls_dir, "0/seg-1.ts", SEGMENT)
    server = HttpServer(
        web.app,
        "127.0.0.1",
        0,
        limits=ConnectionLimits(**limits),  # type: ignore[arg-type]
        fast_path=web.context,
    )
    port = await nursery.start(server.run)
    return port, web, server


async def _viewer_is_served(port: int) -> None:
    """A fresh viewer gets the playlist promptly."""
    with trio.fail_after(3):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        await stream.send_all(b"GET /hls/0/stream.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n")
        response = await read_http_response(stream)
        await stream.aclose()
    assert response.startswith(b"HTTP/1.1 200 OK") and response.endswith(PLAYLIST)


async def _read_until_closed(stream: trio.SocketStream, limit: float = 5) -> bytes:
    data = b""
    with trio.fail_after(limit):
        while True:
            try:
                chunk = await stream.receive_some(1 << 20)
            except trio.BrokenResourceError:
                return data
            if not chunk:
                return data
            data += chunk


async def test_a_malformed_request_line_gets_400(nursery: trio.Nursery, tmp_path: Path) -> None:
    port, _, _ = await _serve(nursery, tmp_path)
    for line in (b"GARBAGE\r\n\r\n", b"GET /hls/x.ts HTTP/9.9\r\n\r\n", b"GET  / HTTP/1.1\r\n\r\n"):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        await stream.send_all(line)
        answer = await _read_until_closed(stream)
        assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), (line, answer)
    await _viewer_is_served(port)


async def test_a_huge_header_gets_431(nursery: trio.Nursery, tmp_path: Path) -> None:
    port, _, _ = await _serve(nursery, tmp_path, max_header_bytes=8192)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    # the whole oversized head at once: the answer must survive the unread rest
    await stream.send_all(b"GET /hls/0/stream.m3u8 HTTP/1.1\r\nX-Big: " + b"a" * 200_000)
    answer = await _read_until_closed(stream)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    await _viewer_is_served(port)


async def test_a_slowloris_second_head_is_cut_at_the_keep_alive_deadline(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, _, _ = await _serve(nursery, tmp_path, keep_alive_timeout=0.6)
    slow = await trio.open_tcp_stream("127.0.0.1", port)
    await slow.send_all(PING)
    assert (await read_http_response(slow)).startswith(b"HTTP/1.1 200")
    start = trio.current_time()

    async def trickle() -> None:
        for byte in b"GET /api/ping HTTP/1.1\r\nX-Slow: " + b"a" * 200:
            try:
                await slow.send_all(bytes([byte]))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return
            await trio.sleep(0.05)

    async with trio.open_nursery() as clients:
        clients.start_soon(trickle)
        assert await _read_until_closed(slow) == b""
        clients.cancel_scope.cancel()
    # however steadily it trickles, the whole head had to arrive within the deadline
    assert 0.5 < trio.current_time() - start < 2.0
    await _viewer_is_served(port)


async def test_a_client_that_never_reads_a_segment_is_closed(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, _, server = await _serve(nursery, tmp_path, write_timeout=0.5)
    stuck = await trio.open_tcp_stream("127.0.0.1", port)
    stuck.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_RCVBUF, 4096)
    await stuck.send_all(b"GET /hls/0/seg-1.ts HTTP/1.1\r\nHost: x\r\n\r\n")
    await _viewer_is_served(port)  # served while the stuck reader holds its connection
    with trio.fail_after(5):
        # the stuck one is closed at its write timeout (the counter is the observable sign)
        while server.connections.total > 1:  # noqa: ASYNC110 - no event to wait on
            await trio.sleep(0.05)
    data = await _read_until_closed(stuck)
    assert data.startswith(b"HTTP/1.1 200 OK") and len(data) < len(SEGMENT)


async def test_a_pipelined_burst_is_answered_in_order(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, _, _ = await _serve(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    paths = ["/api/ping", "/hls/0/stream.m3u8", "/api/status", "/hls/0/seg-1.ts"] * 25
    burst = b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths)
    # one request the lean path hands to the app mid-burst, and more after it
    burst += b"GET /api/config HTTP/1.1\r\nHost: x\r\n\r\n" + PING
    await stream.send_all(burst)
    responses = _Responses(stream)
    for path in [*paths, "/api/config", "/api/ping"]:
        head, body = await responses.next()
        assert head.startswith(b"HTTP/1.1 200"), (path, head)
        if path == "/hls/0/seg-1.ts":
            assert body == SEGMENT
        if path == "/api/config":
            assert b'"maxSocketPayloadSize"' in body
    await stream.aclose()


class _Responses:
    """Responses read one after another off a keep-alive connection."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self._stream = stream
        self._data = b""

    async def _more(self) -> None:
        chunk = await self._stream.receive_some(1 << 20)
        assert chunk, "closed early"
        self._data += chunk

    async def next(self) -> tuple[bytes, bytes]:
        with trio.fail_after(5):
            while b"\r\n\r\n" not in self._data:
                await self._more()
            head, _, rest = self._data.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            while len(rest) < length:
                await self._more()
                head, _, rest = self._data.partition(b"\r\n\r\n")
            self._data = rest[length:]
            return head, rest[:length]


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


async def test_two_thousand_idle_keep_alive_connections_are_bounded(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    idle_count = 2000
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft > 2 * idle_count + 200, "the test needs ~4,200 open files"
    port, _, server = await _serve(
        nursery, tmp_path, max_connections=idle_count + 1, max_per_ip=10_000
    )
    await _viewer_is_served(port)
    before = _rss_kib()
    idle: list[trio.SocketStream] = []
    with trio.fail_after(60):
        for _ in range(idle_count):
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            await stream.send_all(PING)
            await read_http_response(stream)
            idle.append(stream)
    assert server.connections.total == idle_count
    per_connection = (_rss_kib() - before) * 1024 / idle_count
    # both ends live in this process: their sockets, trio tasks and buffers together
    assert per_connection < 48 * 1024, per_connection
    await _viewer_is_served(port)  # the one place left serves a new viewer
    last = await trio.open_tcp_stream("127.0.0.1", port)  # takes that place
    await last.send_all(PING)
    await read_http_response(last)
    refused = await trio.open_tcp_stream("127.0.0.1", port)
    await refused.send_all(PING)
    assert (await _read_until_closed(refused)).startswith(b"HTTP/1.1 503")
    for stream in idle:
        await stream.aclose()


async def test_segments_over_a_socket_from_disk_and_after_they_are_gone(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    """sendfile while the file is as cached; the cached bytes once it is deleted (or changed:
    the length and ETag already promised are those of the cached bytes)."""
    port, web, _ = await _serve(nursery, tmp_path)
    segment = web.paths.hls_dir / "0" / "seg-1.ts"
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    responses = _Responses(stream)
    request = b"GET /hls/0/seg-1.ts HTTP/1.1\r\nHost: x\r\n\r\n"
    await stream.send_all(request)
    head, body = await responses.next()
    assert head.startswith(b"HTTP/1.1 200") and body == SEGMENT
    segment.write_bytes(b"changed" * 20000)
    await stream.send_all(request)
    assert (await responses.next())[1] == SEGMENT
    segment.unlink()
    await stream.send_all(request * 2)
    assert (await responses.next())[1] == SEGMENT
    assert (await responses.next())[1] == SEGMENT
    await stream.aclose()

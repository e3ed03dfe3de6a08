"""Keep-alive deadlines on the lean path (fast_idle.py: one task for all connections instead of a
cancel scope per request), over real sockets through the front door: an idle connection is
closed at its keep-alive timeout, one that keeps asking or is still taking a long answer is
not, and a stopping server closes the idle ones at once."""

from __future__ import annotations

import contextlib
from pathlib import Path

import trio

from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.fast_fixtures import build_fast_web
from tests.component.http_fixtures import read_http_response

PING = b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"
SEGMENT = bytes(range(256)) * 32 * 1024  # 8 MiB: far more than the socket buffers hold
SEGMENT_REQUEST = b"GET /hls/0/seg-1.ts HTTP/1.1\r\nHost: x\r\n\r\n"
KEEP_ALIVE = 0.5


async def _start(nursery: trio.Nursery, tmp_path: Path) -> tuple[int, trio.CancelScope]:
    """A lean-path server in a cancel scope of its own (cancelling it stops the server)."""
    web = build_fast_web(tmp_path)
    web.write(web.paths.hls_dir, "0/seg-1.ts", SEGMENT)
    limits = ConnectionLimits(keep_alive_timeout=KEEP_ALIVE)
    server = HttpServer(web.app, "127.0.0.1", 0, limits=limits, fast_path=web.context)
    scope = trio.CancelScope()

    async def run(task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        with scope:
            await server.run(task_status=task_status)

    return int(await nursery.start(run)), scope


async def _ask(stream: trio.SocketStream) -> None:
    await stream.send_all(PING)
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 200")


async def _closed_after(stream: trio.SocketStream) -> float:
    """Seconds until the server closes `stream` (nothing else may arrive)."""
    start = trio.current_time()
    with trio.fail_after(5):
        with contextlib.suppress(trio.BrokenResourceError):
            assert await stream.receive_some(1024) == b""
    return trio.current_time() - start


async def test_idle_connections_close_at_the_keep_alive_timeout_and_busy_ones_stay(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, _ = await _start(nursery, tmp_path)
    idle = await trio.open_tcp_stream("127.0.0.1", port)
    busy = await trio.open_tcp_stream("127.0.0.1", port)
    closed: list[float] = []

    async def watch_idle() -> None:
        await _ask(idle)
        closed.append(await _closed_after(idle))

    async with trio.open_nursery() as watchers:
        watchers.start_soon(watch_idle)
        # asked again and again for three keep-alive periods: each answer moves its deadline
        for _ in range(8):
            await trio.sleep(KEEP_ALIVE * 0.4)
            await _ask(busy)
        idle_for = await _closed_after(busy)
    assert KEEP_ALIVE * 0.8 <= closed[0] < KEEP_ALIVE + 1.0
    assert KEEP_ALIVE * 0.8 <= idle_for < KEEP_ALIVE + 1.0


async def test_a_long_answer_outlasts_the_keep_alive_timeout(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, _ = await _start(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await _ask(stream)  # so its keep-alive deadline is due while the segment is being sent
    await stream.send_all(SEGMENT_REQUEST)
    await trio.sleep(KEEP_ALIVE * 3)  # not reading: the answer is stuck in the send
    response = await read_http_response(stream)  # then it all arrives, the connection kept
    assert response.endswith(SEGMENT)
    await _ask(stream)
    await stream.aclose()


async def test_a_stopping_server_closes_idle_connections_at_once(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, scope = await _start(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await _ask(stream)
    scope.cancel()
    # not at the keep-alive timeout
    assert await _closed_after(stream) < KEEP_ALIVE * 0.6

"""How often a lean-path connection gives the event loop a turn, over a real socket: a small
answer is written at once (no extra trip through trio's scheduler per request), yet a
pipelined burst still yields once per request, so one client cannot hold the loop."""

from __future__ import annotations

from pathlib import Path

import trio

from owncastd.http.transport.front_door import HttpServer
from tests.component.fast_fixtures import build_fast_web
from tests.component.http_fixtures import read_http_response

PLAYLIST = b"#EXTM3U\n#EXTINF:2.0,\nseg-1.ts\n"
REQUEST = b"GET /hls/0/stream.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
SEGMENT = bytes(range(256)) * 128  # 32 KiB: sent with sendfile, in one call
SEGMENT_REQUEST = b"GET /hls/0/seg-1.ts HTTP/1.1\r\nHost: x\r\n\r\n"
COUNT = 40


class ConnectionSteps(trio.abc.Instrument):
    """Counts the steps (runs between two yields) of the server's connection tasks."""

    def __init__(self) -> None:
        self.steps = 0

    def before_task_step(self, task: trio.lowlevel.Task) -> None:
        if task.name.endswith("HttpServer._connection"):
            self.steps += 1


async def _server(nursery: trio.Nursery, tmp_path: Path) -> int:
    web = build_fast_web(tmp_path)
    web.write(web.paths.hls_dir, "0/stream.m3u8", PLAYLIST)
    web.write(web.paths.hls_dir, "0/seg-1.ts", SEGMENT)
    server = HttpServer(web.app, "127.0.0.1", 0, fast_path=web.context)
    return int(await nursery.start(server.run))


async def _counted(port: int, pipelined: bool) -> int:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(REQUEST)  # the connection's first request: accepted and warm
    size = len(await read_http_response(stream))  # every answer is the same size
    steps = ConnectionSteps()
    trio.lowlevel.add_instrument(steps)
    try:
        if pipelined:
            await stream.send_all(REQUEST * COUNT)
            data = b""
            with trio.fail_after(5):
                while len(data) < size * COUNT:
                    data += await stream.receive_some(1 << 20)
            assert data.count(PLAYLIST) == COUNT
        for _ in range(0 if pipelined else COUNT):
            await stream.send_all(REQUEST)
            assert (await read_http_response(stream)).endswith(PLAYLIST)
    finally:
        trio.lowlevel.remove_instrument(steps)
        await stream.aclose()
    return steps.steps


async def test_a_small_answer_costs_one_turn_of_the_loop(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _server(nursery, tmp_path)
    # one request after another: woken by the request, answered, back to waiting (a trio
    # send_all would add a checkpoint, i.e. two steps per request)
    assert await _counted(port, pipelined=False) <= COUNT * 1.25


async def test_a_pipelined_burst_yields_once_per_request(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _server(nursery, tmp_path)
    # all 40 heads arrive together (the server reads them in one or a few receives), and
    # still other tasks get a turn between the answers
    assert await _counted(port, pipelined=True) >= COUNT


async def test_a_segment_costs_one_turn_of_the_loop(nursery: trio.Nursery, tmp_path: Path) -> None:
    port = await _server(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(SEGMENT_REQUEST)  # cached and warm
    assert (await read_http_response(stream)).endswith(SEGMENT)
    steps = ConnectionSteps()
    trio.lowlevel.add_instrument(steps)
    try:
        for _ in range(COUNT):
            await stream.send_all(SEGMENT_REQUEST)
            assert (await read_http_response(stream)).endswith(SEGMENT)
    finally:
        trio.lowlevel.remove_instrument(steps)
        await stream.aclose()
    # woken by the request; the head (MSG_MORE) and the sendfile are written at once, with no
    # checkpoint of their own (before: a further turn for the head's trio send)
    assert steps.steps <= COUNT * 1.25

"""Playlist `stat`s on the lean path (fast_epochs.py), over real sockets: requests woken by the
same I/O wait share one `stat` of the playlist, and a playlist replaced between two requests
of a keep-alive connection is still served new."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import trio

from owncastd.http.transport import fast_files
from owncastd.http.transport.front_door import HttpServer
from tests.component.fast_fixtures import FastHarness, build_fast_web
from tests.component.http_fixtures import read_http_response

PLAYLIST = b"#EXTM3U\n#EXTINF:2.0,\nseg-1.ts\n"
REQUEST = b"GET /hls/0/stream.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
CLIENTS = 20


async def _server(nursery: trio.Nursery, tmp_path: Path) -> tuple[int, FastHarness]:
    web = build_fast_web(tmp_path)
    web.write(web.paths.hls_dir, "0/stream.m3u8", PLAYLIST)
    server = HttpServer(web.app, "127.0.0.1", 0, fast_path=web.context)
    return int(await nursery.start(server.run)), web


def _count_playlist_stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = os.stat

    def counting(path: str, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith("stream.m3u8"):
            calls.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fast_files.os, "stat", counting)
    return calls


async def test_requests_woken_together_share_one_stat(
    nursery: trio.Nursery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, _ = await _server(nursery, tmp_path)
    clients = []
    for _ in range(CLIENTS):  # each connection's first request (always a stat), answered
        client = socket.create_connection(("127.0.0.1", port))
        client.setblocking(False)
        stream = trio.SocketStream(trio.socket.from_stdlib_socket(client))
        await stream.send_all(REQUEST)
        assert (await read_http_response(stream)).endswith(PLAYLIST)
        clients.append((client, stream))
    stats = _count_playlist_stats(monkeypatch)
    for client, _ in clients:  # all at once, without yielding: one wait wakes them all
        client.send(REQUEST)
    for _, stream in clients:
        assert (await read_http_response(stream)).endswith(PLAYLIST)
    # before: one stat per request (20)
    assert 1 <= len(stats) <= 3
    for _, stream in clients:
        await stream.aclose()


async def test_a_replaced_playlist_is_served_new_on_a_keep_alive_connection(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port, web = await _server(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    for round_no in range(5):
        body = PLAYLIST + f"seg-{round_no + 2}.ts\n".encode()
        web.write(web.paths.hls_dir, "0/stream.m3u8", body)  # replaced, as ffmpeg does
        await stream.send_all(REQUEST)
        assert (await read_http_response(stream)).endswith(body)
    await stream.aclose()

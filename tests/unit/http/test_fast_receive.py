"""`fast_send.receive_on_socket`: a keep-alive connection waits for its next request before it
reads (no read that can only fail right after an answer), then reads once."""

from __future__ import annotations

import os

import pytest
import trio
import trio.testing

from owncastd.http.transport import fast_send


async def test_it_waits_then_reads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = os.read

    def counting(fd: int, size: int) -> bytes:
        reads.append(fd)
        return real(fd, size)

    monkeypatch.setattr(fast_send.os, "read", counting)
    server, client = trio.socket.socketpair()
    got: list[bytes] = []

    async def receive() -> None:
        got.append(await fast_send.receive_on_socket(server, 1024))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(receive)
        await trio.testing.wait_all_tasks_blocked()
        assert server.fileno() not in reads  # nothing to read yet: not tried
        await client.send(b"GET / HTTP/1.1\r\n\r\n")
    assert got == [b"GET / HTTP/1.1\r\n\r\n"]
    assert reads.count(server.fileno()) == 1
    client.close()
    assert await fast_send.receive_on_socket(server, 1024) == b""  # EOF
    server.close()

"""Writing a large response straight to the socket: `sendmsg` of the head and memoryview
slices of the cached body, as much as the kernel takes per call (one call for a 1 MB segment
when the socket buffer has room), instead of one awaited 64 KiB `send_all` after another; or,
for a whole file still on disk as it was cached, `os.sendfile` from the page cache (no copy
through Python, as nginx does).

The write timeout is about progress: the reader must take `WRITE_CHUNK` bytes within it, or
the connection is given up (the caller closes it)."""

from __future__ import annotations

import os
import socket

import trio

from owncastd.http.transport.fast_files import CachedFile, stamp_of

WRITE_CHUNK = 64 * 1024


def write_now(sock: trio.socket.SocketType, data: bytes) -> int:
    """Write what the socket takes of `data` at once, without a trip through trio's
    scheduler (a playlist or `/api/status` answer: ~10% of the lean path's CPU went to
    trio's send wrapper and its checkpoint); how many bytes went, 0 when none could. The
    connection's fairness comes from its reads: every request is preceded by a receive,
    which yields, or, pipelined, by an explicit checkpoint (fast_path.py). A reset raises
    OSError."""
    try:
        return os.write(sock.fileno(), data)
    except BlockingIOError:
        return 0


def send_more_now(sock: trio.socket.SocketType, data: bytes) -> int:
    """As `write_now`, with MSG_MORE (a response head the body follows: the kernel holds it
    to go out with the body's first bytes); 0 when the socket has no stdlib socket inside."""
    raw = getattr(sock, "_sock", None)  # trio keeps the stdlib socket there (no public API)
    if not isinstance(raw, socket.socket):
        return 0
    try:
        return raw.send(data, socket.MSG_MORE)
    except BlockingIOError:
        return 0


async def receive_on_socket(sock: trio.socket.SocketType, max_bytes: int) -> bytes:
    """The next bytes from the socket, b"" at EOF: waits for it to be readable first instead
    of trying a read (trio's `recv` tries first; on a keep-alive connection the next request
    has not arrived when its answer has just been sent, so that read only fails), then one
    `os.read`. The wait is the connection's one yield per request. A reset raises OSError."""
    fd = sock.fileno()
    while True:
        await trio.lowlevel.wait_readable(fd)
        try:
            return os.read(fd, max_bytes)
        except BlockingIOError:  # woken without data after all
            continue


async def send_on_socket(
    sock: trio.socket.SocketType, parts: list[bytes], stall_seconds: float, *, more: bool = False
) -> bool:
    """Send all of `parts`; False when the reader stalled for `stall_seconds` (a reset
    raises OSError)."""
    buffers = [memoryview(part) for part in parts if part]
    deadline = trio.current_time() + stall_seconds
    since_deadline = 0
    while buffers:
        with trio.move_on_at(deadline) as scope:
            sent = await sock.sendmsg(buffers, [], socket.MSG_MORE if more else 0)
        if scope.cancelled_caught:
            return False
        since_deadline += sent
        if since_deadline >= WRITE_CHUNK:
            since_deadline = 0
            deadline = trio.current_time() + stall_seconds
        while sent:
            first = buffers[0]
            if sent >= len(first):
                sent -= len(first)
                buffers.pop(0)
            else:
                buffers[0] = first[sent:]
                sent = 0
    return True


async def send_file_on_socket(
    sock: trio.socket.SocketType, head: bytes, source: CachedFile, stall_seconds: float
) -> bool | None:
    """Send `head` and then the file `source` was read from with sendfile; None (nothing
    sent) when that file is gone or changed, so the caller sends the cached bytes instead."""
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if stamp_of(st) != source.stamp:
            return None
        rest = head[send_more_now(sock, head) :]
        if rest and not await send_on_socket(sock, [rest], stall_seconds, more=True):
            return False
        return await _sendfile(sock, fd, st.st_size, stall_seconds)
    finally:
        os.close(fd)


async def _sendfile(sock: trio.socket.SocketType, fd: int, size: int, stall: float) -> bool:
    offset = mark = 0
    deadline = trio.current_time() + stall
    while offset < size:
        try:
            sent = os.sendfile(sock.fileno(), fd, offset, size - offset)
        except BlockingIOError:
            with trio.move_on_at(deadline) as scope:
                await trio.lowlevel.wait_writable(sock)
            if scope.cancelled_caught:
                return False
            continue
        if sent == 0:  # the file shrank under us: the length promised cannot be kept
            return False
        offset += sent
        if offset - mark >= WRITE_CHUNK:  # as send_on_socket: the reader keeps taking data
            mark = offset
            deadline = trio.current_time() + stall
    # no checkpoint of its own: the connection yields at its next read, its one turn of the
    # loop per request (the head went out with send_more_now, no yield either)
    return True

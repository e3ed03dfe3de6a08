"""Writing a large response straight to the socket: `sendmsg` of the head and memoryview
slices of the cached body, as much as the kernel takes per call (one call for a 1 MB segment
when the socket buffer has room), instead of one awaited 64 KiB `send_all` after another.

The write timeout is about progress: the reader must take `WRITE_CHUNK` bytes within it, or
the connection is given up (the caller closes it)."""

from __future__ import annotations

import trio

WRITE_CHUNK = 64 * 1024


async def send_on_socket(
    sock: trio.socket.SocketType, parts: list[bytes], stall_seconds: float
) -> bool:
    """Send all of `parts`; False when the reader stalled for `stall_seconds` (a reset
    raises OSError)."""
    buffers = [memoryview(part) for part in parts if part]
    deadline = trio.current_time() + stall_seconds
    since_deadline = 0
    while buffers:
        with trio.move_on_at(deadline) as scope:
            sent = await sock.sendmsg(buffers)
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

"""Accept connections on listeners and hand each to a handler task, surviving a lack of file
descriptors or memory: `accept` then backs off (BACKOFF_MIN doubling to BACKOFF_MAX) instead of
spinning, and logs one WARNING when such a burst starts and one INFO when it ends, with how
many attempts failed (trio's `serve_listeners` logs an ERROR with a traceback every 100 ms;
each of a listener's ACCEPTORS logs its own).
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence

import trio

log = logging.getLogger(__name__)

CAPACITY_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS})
BACKOFF_MIN = 0.05
BACKOFF_MAX = 1.0
ACCEPTORS = 8

Handler = Callable[[trio.SocketStream], Awaitable[None]]


async def serve_listeners(
    handler: Handler,
    listeners: Sequence[trio.SocketListener],
    *,
    handler_nursery: trio.Nursery,
    name: str = "http",
) -> None:
    """Accept on every listener until cancelled; each connection runs `handler` in
    `handler_nursery`.

    Each listening socket gets ACCEPTORS tasks, each on its own duplicate of the socket (trio
    lets one task at a time wait on a file descriptor). trio runs ready tasks in turn, so one
    acceptor accepts one connection per round of all the busy connection tasks: at 400 busy
    keep-alive connections, a burst of new viewers waited seconds to be accepted (bench
    hls_delivery: p99 > 2 s).
    """
    async with trio.open_nursery() as accepting:
        for listener in listeners:
            for copy in [listener, *_duplicates(listener, ACCEPTORS - 1)]:
                accepting.start_soon(accept_forever, copy, handler, handler_nursery, name)


def _duplicates(listener: trio.SocketListener, count: int) -> list[trio.SocketListener]:
    """`count` more listeners on duplicates of `listener`'s socket (none for other kinds)."""
    if not isinstance(listener, trio.SocketListener):
        return []
    fd = listener.socket.fileno()
    return [
        trio.SocketListener(trio.socket.from_stdlib_socket(socket.socket(fileno=os.dup(fd))))
        for _ in range(count)
    ]


async def accept_forever(
    listener: trio.abc.Listener[trio.SocketStream],
    handler: Handler,
    handler_nursery: trio.Nursery,
    name: str = "http",
) -> None:
    """Accept on one listener until cancelled (other OSErrors propagate)."""
    failures = 0
    async with listener:
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:
                if exc.errno not in CAPACITY_ERRNOS:
                    raise
                if failures == 0:
                    log.warning(
                        "%s accept failing error=%s (%s); backing off until it recovers",
                        name,
                        errno.errorcode.get(exc.errno or 0, exc.errno),
                        exc.strerror,
                    )
                failures += 1
                await trio.sleep(min(BACKOFF_MAX, BACKOFF_MIN * 2 ** min(failures - 1, 8)))
                continue
            if failures:
                log.info("%s accept recovered failed_attempts=%d", name, failures)
                failures = 0
            handler_nursery.start_soon(handler, stream)

"""Counting the event loop's I/O waits, so requests woken by the same wait can share one `stat`
of a playlist (fast_files.FileCache.fresh).

Every request head the lean path reads after waiting for its socket was (at least in part)
in the socket when the I/O wait that woke the connection returned: the client sent it before
then. A playlist `stat` made after that wait returned therefore shows the file as it was when
the request was sent, or newer, which is all the request can ask for. So a `stat` made in
I/O epoch N (after the N-th wait) is good for every request woken in epoch N or earlier: at
400 connections one `stat` serves the whole batch of requests a wait wakes (a `stat` per
request was ~12% of a playlist request's CPU: bench/README.md). Requests read without such a
wait (a connection's first, pipelined ones) still `stat` every time.
"""

from __future__ import annotations

import trio


class IoEpochs(trio.abc.Instrument):
    """A trio instrument counting I/O waits; `now` is the current epoch."""

    def __init__(self) -> None:
        self.now = 0

    def after_io_wait(self, timeout: float) -> None:
        """A new epoch: what the wait reported is older than anything seen from now on."""
        self.now += 1

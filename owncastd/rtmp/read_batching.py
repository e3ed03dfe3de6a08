"""Fewer, larger socket reads while a publisher streams: `SO_RCVLOWAT` from its own rate.

An encoder sends RTMP in ~4 KB chunks, and every wake-up costs the daemon far more than the
bytes (a trio pass, a read, a parse, a hand-off and a pipe write into ffmpeg: issue 17,
~60 reads/s at 6 Mbit/s). While publishing, the kernel is asked not to report the socket
readable before about BATCH_SECONDS of media at the measured rate has arrived (at most
MAX_LOWAT), so a read takes a batch. Video is cut into segments of seconds, so tens of
milliseconds of extra buffering are not seen by viewers: 80 ms (~13 reads/s at 6 Mbit/s)
measured 0.83% of a core against 0.94% with 40 ms (`bench/ingest.py`), and `bench/latency.py`
saw segment complete → listed at a median 0.08 s against 0.06 s.

What waits below the mark when the sender pauses or sends one last small command is not
stuck: the read deadline is SETTLE while batching, and when it passes the mark goes back to
one byte (`idle`), so at most SETTLE later everything is read as before.
"""

from __future__ import annotations

from collections.abc import Callable

BATCH_SECONDS = 0.08
MAX_LOWAT = 128 * 1024  # Linux grows the receive buffer to fit the mark
RATE_WINDOW = 1.0  # seconds of reads the rate is measured over
SETTLE = 0.25  # the longest data below the mark may wait
_CHANGE = 0.25  # the mark is only set again when it moves by more than this share


class ReadBatcher:
    """Keeps one socket's receive low-water mark in step with its publisher's rate."""

    __slots__ = ("_bytes", "_lowat", "_set_lowat", "_since")

    def __init__(self, set_lowat: Callable[[int], None] | None) -> None:
        self._set_lowat = set_lowat  # None: not a socket, batching is off
        self._lowat = 1
        self._bytes = 0
        self._since: float | None = None

    @property
    def active(self) -> bool:
        """Whether reads wait for more than one byte."""
        return self._lowat > 1

    def received(self, size: int, now: float) -> None:
        """Count a read of a publishing connection; re-aim the mark once per RATE_WINDOW."""
        if self._set_lowat is None:
            return
        if self._since is None:
            self._since, self._bytes = now, 0
            return
        self._bytes += size
        elapsed = now - self._since
        if elapsed < RATE_WINDOW:
            return
        want = max(1, min(MAX_LOWAT, int(self._bytes / elapsed * BATCH_SECONDS)))
        self._since, self._bytes = now, 0
        if abs(want - self._lowat) > self._lowat * _CHANGE:
            self._apply(want)

    def idle(self) -> None:
        """Nothing arrived for SETTLE: read whatever is there (the rate is measured anew)."""
        self._since = None
        self._apply(1)

    def _apply(self, lowat: int) -> None:
        if self._set_lowat is None or lowat == self._lowat:
            return
        try:
            self._set_lowat(lowat)
        except OSError:  # not supported here: read as before
            self._set_lowat = None
            lowat = 1
        self._lowat = lowat

"""Bounded AMF decoding for one connection (sans-IO): no peer can stall the event loop.

Decoding costs in proportion to the values built: 64 KiB of empty AMF0 objects took 14-38 ms of
CPU, three 8 MB `onMetaData` messages 6-19 s. So each message may hold at most `max_values`
values, and each connection has a token bucket of decode work, in units of one message, one
AMF value or one KiB of AMF payload. A stranger (before its publish is accepted) sends a handful
of small commands (~40 units): :data:`STRANGER`. The publisher sends media (not counted here)
and now and then metadata: :data:`PUBLISHER`; a larger data message is skipped, not decoded.
Past the bucket the connection must close (:class:`~owncastd.errors.RtmpProtocolError`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from owncastd.core.budget import TokenBucket
from owncastd.errors import RtmpProtocolError
from owncastd.rtmp import amf0


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Values per message, and the connection's bucket (`burst` units, `rate` units/s)."""

    max_values: int
    burst: float
    rate: float
    strict: bool  # a message over `max_values` closes the connection (else it is skipped)


STRANGER = DecodeLimits(max_values=128, burst=256.0, rate=64.0, strict=True)
PUBLISHER = DecodeLimits(max_values=4096, burst=16384.0, rate=4096.0, strict=False)
MAX_DATA_MESSAGE_SIZE = 64 * 1024


class DecodeBudget:
    """One connection's decode work, on `clock` (seconds)."""

    def __init__(self, clock: Callable[[], float], limits: DecodeLimits = STRANGER) -> None:
        self._clock = clock
        self.limits = limits
        self._bucket = TokenBucket(limits.burst, limits.rate, clock())

    def relax(self, limits: DecodeLimits) -> None:
        """Switch to other limits, with a full bucket (the publish was accepted)."""
        self.limits = limits
        self._bucket = TokenBucket(limits.burst, limits.rate, self._clock())

    def charge(self, units: float) -> None:
        """Spend `units`; raise if the connection is past its budget."""
        self._spend(units, self._clock())

    def _spend(self, units: float, now: float) -> None:
        bucket = self._bucket
        bucket.spend(units, now)
        if bucket.tokens(now) < 0:
            raise RtmpProtocolError(
                f"decode budget spent (burst {bucket.burst:g}, {bucket.rate:g}/s)"
            )

    def decode(self, payload: bytes) -> tuple[list[object], amf0.AmfError | None]:
        """:func:`~owncastd.rtmp.amf0.decode_prefix` within the limits (see the module doc)."""
        now = self._clock()
        limits = self.limits
        limit = int(min(limits.max_values, self._bucket.tokens(now)))
        if limit < 1:
            self._spend(1.0, now)  # raises: nothing left
        values, error, used = amf0.decode_limited(payload, limit)
        # Had the bucket rather than max_values stopped the decoder, this raises.
        self._spend(1.0 + used + len(payload) // 1024, now)
        if isinstance(error, amf0.AmfLimitError) and limits.strict:
            raise RtmpProtocolError(f"AMF message with more than {limit} values")
        return values, error

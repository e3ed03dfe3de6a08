"""A budget of failed logins per client: a token bucket per address, in bounded memory.

Each client (an IPv4 address, or the /64 of an IPv6 one: one host usually owns the whole
prefix) may fail `burst` times, then once per `60 / per_minute` seconds. Successes cost nothing.
Entries are kept in least-recently-charged order; when `max_clients` are tracked the stalest is
dropped (it has refilled the most), so memory stays bounded whatever the number of addresses.
"""

from __future__ import annotations

import ipaddress
import math

BURST = 10
PER_MINUTE = 10.0
MAX_CLIENTS = 4096


def client_key(address: str) -> str:
    """The bucket of a peer address: the IPv4 address, or the IPv6 /64 (`::ffff:` unwrapped)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class _Bucket:
    __slots__ = ("at", "noted", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at
        self.noted = False  # the lockout was reported since the bucket was last full


class LoginThrottle:
    """Failed-login buckets: :meth:`allowed` before checking, :meth:`charge` on a failure,
    :meth:`refund` when a charged attempt succeeds. `now` is any monotonic clock in seconds."""

    def __init__(
        self, *, burst: int = BURST, per_minute: float = PER_MINUTE, max_clients: int = MAX_CLIENTS
    ) -> None:
        if burst < 1 or per_minute <= 0 or max_clients < 1:
            raise ValueError("burst, per_minute and max_clients must be positive")
        self.burst = burst
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}  # least recently charged first

    def __len__(self) -> int:
        return len(self._buckets)

    def tokens(self, client: str, now: float) -> float:
        """Failures `client` may still have now."""
        bucket = self._buckets.get(client)
        if bucket is None:
            return float(self.burst)
        return min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.rate)

    def allowed(self, client: str, now: float) -> bool:
        """True if `client` has a failure left (then its credentials may be checked)."""
        return self.tokens(client, now) >= 1.0

    def retry_after(self, client: str, now: float) -> int:
        """Whole seconds until `client` has a failure left (0 if it has one now)."""
        missing = 1.0 - self.tokens(client, now)
        return 0 if missing <= 0 else math.ceil(missing / self.rate - 1e-9)

    def charge(self, client: str, now: float) -> bool:
        """Spend one failure; False if `client` had none left (nothing is spent then)."""
        tokens = self.tokens(client, now)
        if tokens < 1.0:
            return False
        buckets = self._buckets
        bucket = buckets.pop(client, None)  # re-inserted last: the order is by last charge
        if bucket is None or tokens >= self.burst:
            bucket = _Bucket(tokens, now)
            while len(buckets) >= self.max_clients:
                del buckets[next(iter(buckets))]  # the stalest has refilled the most
        bucket.tokens = tokens - 1.0
        bucket.at = now
        buckets[client] = bucket
        return True

    def refund(self, client: str, now: float) -> None:
        """Give back a failure charged for an attempt that succeeded."""
        bucket = self._buckets.get(client)
        if bucket is None:
            return
        tokens = self.tokens(client, now) + 1.0
        if tokens >= self.burst:
            del self._buckets[client]  # a full bucket is the same as none
        else:
            bucket.tokens = tokens
            bucket.at = now

    def note_lockout(self, client: str, now: float) -> bool:
        """True the first time `client` is found out of failures since its bucket was full
        (so a lockout is logged once, not once per refused attempt)."""
        bucket = self._buckets.get(client)
        if bucket is None or bucket.noted or self.allowed(client, now):
            return False
        bucket.noted = True
        return True

"""Token buckets: a rate of work or of failures, with a burst, on any monotonic clock.

The one token bucket of the daemon. :class:`TokenBucket` is one budget (the decode work one RTMP
connection may cost per second, the chat messages one websocket may send).
:class:`ClientBudgets` keeps one bucket of failures per client address (failed admin logins,
wrong stream keys) (an IPv4 address, or the /64 of an
IPv6 one, see :func:`client_key`) in bounded memory: buckets are kept in least-recently-charged
order and when `max_clients` are tracked the stalest (the one that has refilled the most) goes.
A full bucket is the same as none. Times are seconds (`now`), passed in: nothing here reads a
clock.
"""

from __future__ import annotations

import ipaddress
import math


def client_key(address: str) -> str:
    """The bucket of a peer host: the IPv4 address, or the IPv6 /64 (`::ffff:` unwrapped)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class TokenBucket:
    """Holds up to `burst` tokens and refills at `rate` tokens a second, starting full.

    `now` at creation may be `-math.inf` for a bucket created before its clock is known."""

    __slots__ = ("_at", "_tokens", "burst", "rate")

    def __init__(self, burst: float, rate: float, now: float) -> None:
        if burst <= 0 or rate <= 0:
            raise ValueError("burst and rate must be positive")
        self.burst = float(burst)
        self.rate = float(rate)
        self._tokens = self.burst
        self._at = now

    def tokens(self, now: float) -> float:
        """Tokens available at `now`."""
        return min(self.burst, self._tokens + max(0.0, now - self._at) * self.rate)

    def spend(self, amount: float, now: float) -> None:
        """Take `amount` tokens (the bucket may go below zero: a debt repaid by the refill)."""
        self._tokens = self.tokens(now) - amount
        self._at = now

    def allow(self, now: float) -> bool:
        """Take one token at `now` if there is one (nothing is taken otherwise)."""
        if self.tokens(now) < 1.0:
            return False
        self.spend(1.0, now)
        return True

    def seconds_until(self, amount: float, now: float) -> float:
        """Seconds until `amount` tokens are available (0 if they are now)."""
        missing = amount - self.tokens(now)
        return 0.0 if missing <= 0 else missing / self.rate


class _Client:
    __slots__ = ("bucket", "noted")

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket
        self.noted = False  # the lockout was reported since the bucket was last full


class ClientBudgets:
    """A budget of failures per client: `burst` at once, then `per_minute`.

    :meth:`allowed` before trying, :meth:`charge` on a failure, :meth:`refund` when a charged
    attempt turns out to have succeeded, :meth:`note_lockout` to log a lockout once per burst
    rather than once per refused attempt.
    """

    def __init__(self, *, burst: int, per_minute: float, max_clients: int = 4096) -> None:
        if burst < 1 or per_minute <= 0 or max_clients < 1:
            raise ValueError("burst, per_minute and max_clients must be positive")
        self.burst = burst
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._clients: dict[str, _Client] = {}  # least recently charged first

    def __len__(self) -> int:
        return len(self._clients)

    def tokens(self, client: str, now: float) -> float:
        """Failures `client` may still have at `now`."""
        entry = self._clients.get(client)
        return float(self.burst) if entry is None else entry.bucket.tokens(now)

    def allowed(self, client: str, now: float) -> bool:
        """True if `client` has a failure left."""
        return self.tokens(client, now) >= 1.0

    def retry_after(self, client: str, now: float) -> int:
        """Whole seconds until `client` has a failure left (0 if it has one now)."""
        entry = self._clients.get(client)
        return 0 if entry is None else math.ceil(entry.bucket.seconds_until(1.0, now) - 1e-9)

    def charge(self, client: str, now: float) -> bool:
        """Spend one failure of `client`; False if it had none left (nothing is spent then)."""
        if not self.allowed(client, now):
            return False
        clients = self._clients
        entry = clients.pop(client, None)  # re-inserted last: the order is by last charge
        if entry is None or entry.bucket.tokens(now) >= self.burst:
            entry = _Client(TokenBucket(self.burst, self.per_minute / 60.0, now))
            while len(clients) >= self.max_clients:
                del clients[next(iter(clients))]  # the stalest has refilled the most
        entry.bucket.spend(1.0, now)
        clients[client] = entry
        return True

    def refund(self, client: str, now: float) -> None:
        """Give back a failure charged for an attempt that succeeded."""
        entry = self._clients.get(client)
        if entry is None:
            return
        entry.bucket.spend(-1.0, now)
        if entry.bucket.tokens(now) >= self.burst:
            del self._clients[client]  # a full bucket is the same as none

    def note_lockout(self, client: str, now: float) -> bool:
        """True the first time `client` is found out of failures since its bucket was full."""
        entry = self._clients.get(client)
        if entry is None or entry.noted or self.allowed(client, now):
            return False
        entry.noted = True
        return True

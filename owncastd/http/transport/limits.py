"""How long a web connection may take and how many may be open: one place the front door (and
any later fast path) applies before dispatching a connection.

`ConnectionLimits` holds the numbers: the head, keep-alive, body and write timeouts, the total
and per-IP connection caps. `ConnectionCounter` counts open connections and admits or refuses
new ones; addresses for which `exempt(ip)` is true (by default none; the daemon passes
`[web] trusted_proxies`, loopback out of the box) skip the per-IP cap because a reverse proxy
connects from them on behalf of all its clients, but still count toward the total.
A refused connection gets `REFUSAL` (a short 503) and is closed at once.

`max_connections_for(soft)` scales the total cap to the open-files limit: everything but a
reserve for RTMP, ffmpeg pipes, HLS files and SQLite, and never more than `MAX_CONNECTIONS`.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from owncastd.config.settings import WebSettings
from owncastd.core.budget import client_key

HEAD_TIMEOUT = 10.0
KEEP_ALIVE_TIMEOUT = 30.0
BODY_TIMEOUT = 60.0
WRITE_TIMEOUT = 30.0
MAX_CONNECTIONS = 8192
MAX_PER_IP = 128
CHAT_MAX_PER_IP = 32
FD_RESERVE = 512
MAX_HEADER_BYTES = 64 * 1024
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 20\r\nretry-after: 5\r\nconnection: close\r\n\r\ntoo many connections"
)


def no_exemption(ip: str) -> bool:
    """The default: every address is held to the per-IP cap."""
    return False


def max_connections_for(soft_limit: int) -> int:
    """The total connection cap for an open-files limit: what is left after a reserve (up to
    FD_RESERVE, a quarter of small limits) for everything else, at most MAX_CONNECTIONS."""
    reserve = min(FD_RESERVE, soft_limit // 4)
    return max(1, min(MAX_CONNECTIONS, soft_limit - reserve))


def chat_clients_for(soft_limit: int) -> int:
    """The chat connection cap for an open-files limit: 70% of it, as Owncast does."""
    return max(1, int(min(soft_limit, 1 << 20) * 0.7))


def address_matcher(networks: Callable[[], Iterable[str]]) -> Callable[[str], bool]:
    """A predicate: is this address in one of `networks()` (addresses or CIDR blocks, read at
    each call so a config reload applies)? Only asked when an address reaches its cap."""

    def matches(ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip.removeprefix("::ffff:"))
            return any(address in ipaddress.ip_network(entry, strict=False) for entry in networks())
        except ValueError:
            return False

    return matches


@dataclass(frozen=True)
class ConnectionLimits:
    """Timeouts (seconds) and caps for one listener.

    `head_timeout`: the first request head must arrive within it. `keep_alive_timeout`: an
    idle connection (no request in progress) is closed after it; a later request head must
    also arrive within it. `body_timeout`: a request body must arrive in full within it of its
    head. `write_timeout`: each 64 KiB of a response must leave within it.
    `max_header_bytes`: the largest request head read (larger: 431 or closed).
    """

    head_timeout: float = HEAD_TIMEOUT
    keep_alive_timeout: float = KEEP_ALIVE_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    write_timeout: float = WRITE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_per_ip: int = MAX_PER_IP
    max_header_bytes: int = MAX_HEADER_BYTES
    exempt: Callable[[str], bool] = field(default=no_exemption, compare=False)


class ConnectionCounter:
    """Open connections, in total and per address; sync methods (atomic under trio)."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self._limits = limits
        self._per_ip: dict[str, int] = {}
        self.total = 0

    def admit(self, ip: str) -> bool:
        """Count a new connection from `ip`; False (nothing counted) when over a cap. Addresses
        count per host: an IPv4 address, or the /64 of an IPv6 one (`core.budget.client_key`)."""
        limits = self._limits
        if self.total >= limits.max_connections:
            return False
        key = client_key(ip)
        count = self._per_ip.get(key, 0)
        if count >= limits.max_per_ip and not limits.exempt(ip):
            return False
        self._per_ip[key] = count + 1
        self.total += 1
        return True

    def release(self, ip: str) -> None:
        """Forget one admitted connection from `ip`."""
        key = client_key(ip)
        count = self._per_ip.get(key, 0)
        if count <= 1:
            self._per_ip.pop(key, None)
        else:
            self._per_ip[key] = count - 1
        self.total = max(0, self.total - 1)

    def from_ip(self, ip: str) -> int:
        """Open connections from `ip`'s host."""
        return self._per_ip.get(client_key(ip), 0)


def per_ip_counter(
    max_per_ip: int, exempt: Callable[[str], bool] = no_exemption
) -> ConnectionCounter:
    """A counter with only a per-IP cap (the chat sockets' one)."""
    return ConnectionCounter(
        ConnectionLimits(max_connections=sys.maxsize, max_per_ip=max_per_ip, exempt=exempt)
    )


def web_limits(
    web: WebSettings, fd_cap: int, exempt: Callable[[str], bool] = no_exemption
) -> ConnectionLimits:
    """The web listener's limits from `[web]`: `max_connections` 0 means `fd_cap` (the cap
    the open-files limit allows, which a configured value never exceeds)."""
    wanted = web.max_connections or fd_cap
    return ConnectionLimits(
        head_timeout=float(web.header_timeout),
        keep_alive_timeout=float(web.keep_alive_timeout),
        write_timeout=float(web.write_timeout),
        max_connections=min(wanted, fd_cap),
        max_per_ip=web.max_connections_per_ip,
        max_header_bytes=web.max_header_bytes,
        exempt=exempt,
    )

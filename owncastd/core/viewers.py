"""Who is watching (reference §8.1): MD5(IP + User-Agent), 15 s expiry, only while live.

Bounded: User-Agents are cut to 512 characters (before hashing, so ids stay stable), and past
100,000 viewers in all or 64 per IP address new viewers are not tracked (known ones still are).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import trio

from owncastd.core.events import Event, StreamStopped
from owncastd.core.periodic import periodic
from owncastd.core.stream import Stream

log = logging.getLogger(__name__)

VIEWER_EXPIRY_SECONDS = 15.0
PRUNE_INTERVAL_SECONDS = 5.0
MAX_USER_AGENT_CHARS = 512
MAX_IP_CHARS = 64  # an IPv6 address is at most 45; X-Forwarded-For may carry anything
MAX_VIEWERS = 100_000
MAX_VIEWERS_PER_IP = 64


@dataclass
class Viewer:
    """One active viewer (Owncast's `Viewer`)."""

    client_id: str
    ip_address: str
    user_agent: str
    first_seen: datetime
    last_seen_monotonic: float


def client_id_for(ip_address: str, user_agent: str) -> str:
    """Owncast's viewer identity: hex MD5 of the IP address followed by the User-Agent.

    Both are cut to their stored length first, so a 64 KB User-Agent gives the same id as its
    first 512 characters.
    """
    key = ip_address[:MAX_IP_CHARS] + user_agent[:MAX_USER_AGENT_CHARS]
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def client_ip(
    remote_addr: str, forwarded_for: str | None, trusted_proxies: Sequence[str] = ()
) -> str:
    """The client's address, without `::ffff:`.

    When the peer is a trusted proxy, `X-Forwarded-For` is read from the right: each proxy
    appends the address it got the request from, so the first entry that is not itself a
    trusted proxy is the client. Entries left of it are whatever the client sent and are never
    believed (Owncast believes the first entry, from any peer). An entry that is not an IP
    address ends the walk at the last address that was believed.
    """
    ip = remote_addr.removeprefix("::ffff:")
    trusted = tuple(trusted_proxies)
    if not forwarded_for or not _is_trusted(ip, trusted):
        return ip
    for hop in reversed(forwarded_for.split(",")):
        candidate = hop.strip().removeprefix("::ffff:")
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return ip
        ip = candidate
        if not _is_trusted(candidate, trusted):
            return candidate
    return ip


@functools.lru_cache(maxsize=64)
def _networks(
    trusted: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(peer: str, trusted: tuple[str, ...]) -> bool:
    if not trusted:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


class ViewerTracker:
    """Counts viewers from `/api/ping` and playlist requests while the stream is live."""

    def __init__(
        self,
        stream: Stream,
        clock: Callable[[], datetime],
        expiry: float = VIEWER_EXPIRY_SECONDS,
        *,
        max_viewers: int = MAX_VIEWERS,
        max_per_ip: int = MAX_VIEWERS_PER_IP,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._expiry = expiry
        self._max_viewers = max_viewers
        self._max_per_ip = max_per_ip
        self._viewers: dict[str, Viewer] = {}
        self._per_ip: dict[str, int] = {}
        self._warned = False  # the cap warning is logged once per stream
        self.remote_count: Callable[[], int] = lambda: 0  # a cluster origin's edges' viewers

    def seen(self, ip_address: str, user_agent: str) -> None:
        """Mark a viewer active (a no-op unless a publisher is live, or for a new viewer once
        a cap is reached)."""
        if not self._stream.is_live:
            return
        ip_address = ip_address[:MAX_IP_CHARS]
        user_agent = user_agent[:MAX_USER_AGENT_CHARS]
        client_id = client_id_for(ip_address, user_agent)
        now = trio.current_time()
        viewer = self._viewers.get(client_id)
        if viewer is not None:
            viewer.last_seen_monotonic = now
            return
        if not self._room_for(ip_address):
            return
        self._viewers[client_id] = Viewer(client_id, ip_address, user_agent, self._clock(), now)
        self._per_ip[ip_address] = self._per_ip.get(ip_address, 0) + 1
        self._stream.record_viewer_count(len(self._viewers))

    def _room_for(self, ip_address: str) -> bool:
        """Whether a new viewer from `ip_address` fits under both caps (warns once if not)."""
        if len(self._viewers) < self._max_viewers:
            if self._per_ip.get(ip_address, 0) < self._max_per_ip:
                return True
            cap = f"per_ip={self._max_per_ip} ip={ip_address}"
        else:
            cap = f"total={self._max_viewers}"
        if not self._warned:
            self._warned = True
            log.warning("viewer limit reached; new viewers are not counted %s", cap)
        return False

    def prune(self) -> None:
        """Forget viewers not seen within the expiry time."""
        cutoff = trio.current_time() - self._expiry
        for client_id in [c for c, v in self._viewers.items() if v.last_seen_monotonic < cutoff]:
            viewer = self._viewers.pop(client_id)
            remaining = self._per_ip[viewer.ip_address] - 1
            if remaining:
                self._per_ip[viewer.ip_address] = remaining
            else:
                del self._per_ip[viewer.ip_address]

    def on_event(self, event: Event) -> None:
        """Bus subscriber: everyone leaves when the stream stops."""
        if isinstance(event, StreamStopped):
            self._viewers.clear()
            self._per_ip.clear()
            self._warned = False

    @property
    def count(self) -> int:
        """The number of active viewers (with those of a cluster's edges)."""
        return len(self._viewers) + self.remote_count()

    def viewers(self) -> list[Viewer]:
        """The active viewers, oldest first."""
        return sorted(self._viewers.values(), key=lambda v: v.first_seen)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Prune expired viewers every few seconds until cancelled."""
        task_status.started()
        await periodic(PRUNE_INTERVAL_SECONDS, self.prune)

"""Who is watching (reference §8.1): MD5(IP + User-Agent), 15 s expiry, only while live."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import trio

from owncastd.core.events import Event, StreamStopped
from owncastd.core.stream import Stream

VIEWER_EXPIRY_SECONDS = 15.0
PRUNE_INTERVAL_SECONDS = 5.0


@dataclass
class Viewer:
    """One active viewer (Owncast's `Viewer`)."""

    client_id: str
    ip_address: str
    user_agent: str
    first_seen: datetime
    last_seen_monotonic: float


def client_id_for(ip_address: str, user_agent: str) -> str:
    """Owncast's viewer identity: hex MD5 of the IP address followed by the User-Agent."""
    return hashlib.md5((ip_address + user_agent).encode(), usedforsecurity=False).hexdigest()


def client_ip(remote_addr: str, forwarded_for: str | None) -> str:
    """The first `X-Forwarded-For` entry, else the peer address, without `::ffff:`."""
    ip = remote_addr
    if forwarded_for:
        first = forwarded_for.split(",")[0].strip()
        if first:
            ip = first
    return ip.removeprefix("::ffff:")


class ViewerTracker:
    """Counts viewers from `/api/ping` and playlist requests while the stream is live."""

    def __init__(
        self,
        stream: Stream,
        clock: Callable[[], datetime],
        expiry: float = VIEWER_EXPIRY_SECONDS,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._expiry = expiry
        self._viewers: dict[str, Viewer] = {}

    def seen(self, ip_address: str, user_agent: str) -> None:
        """Mark a viewer active (a no-op unless a publisher is live)."""
        if not self._stream.is_live:
            return
        client_id = client_id_for(ip_address, user_agent)
        now = trio.current_time()
        viewer = self._viewers.get(client_id)
        if viewer is None:
            self._viewers[client_id] = Viewer(client_id, ip_address, user_agent, self._clock(), now)
            self._stream.record_viewer_count(len(self._viewers))
        else:
            viewer.last_seen_monotonic = now

    def prune(self) -> None:
        """Forget viewers not seen within the expiry time."""
        cutoff = trio.current_time() - self._expiry
        for client_id in [c for c, v in self._viewers.items() if v.last_seen_monotonic < cutoff]:
            del self._viewers[client_id]

    def on_event(self, event: Event) -> None:
        """Bus subscriber: everyone leaves when the stream stops."""
        if isinstance(event, StreamStopped):
            self._viewers.clear()

    @property
    def count(self) -> int:
        """The number of active viewers."""
        return len(self._viewers)

    def viewers(self) -> list[Viewer]:
        """The active viewers, oldest first."""
        return sorted(self._viewers.values(), key=lambda v: v.first_seen)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Prune expired viewers every few seconds until cancelled."""
        task_status.started()
        while True:
            await trio.sleep(PRUNE_INTERVAL_SECONDS)
            self.prune()

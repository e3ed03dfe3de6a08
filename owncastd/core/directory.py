"""Listing the server in the Owncast directory (YP) while it is live (develop §4).

Pinging starts when a publisher connects and stops when it leaves. Every 4 minutes (the first
ping at the first tick, as Owncast) it checks that the directory is enabled, the stream is
online and the server URL has a scheme and a host, then sends `{key, url}`. The directory
answers `{key, success, error, errorCode}`: a new key is stored (Owncast saves the old one again
by mistake; we keep the new one), and a refusal is logged once until a ping succeeds again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import trio

from owncastd.core.events import Event, StreamStarted, StreamStopped

log = logging.getLogger(__name__)

PING_INTERVAL_SECONDS = 240.0


@dataclass(frozen=True, slots=True)
class DirectoryReply:
    """What the directory said to one ping."""

    key: str
    success: bool
    error: str


class DirectoryClient(Protocol):
    """Sends one ping to the directory service."""

    async def ping(self, service_url: str, key: str, server_url: str) -> DirectoryReply:
        """POST `{key, url}` to `<service_url>/api/ping`; raise OSError-like errors on failure."""


@dataclass(frozen=True, slots=True)
class DirectoryTarget:
    """The settings a ping reads, at the time of the ping."""

    enabled: bool
    service_url: str
    server_url: str


def valid_server_url(url: str) -> bool:
    """Owncast only pings with a server URL that parses with a scheme and a host."""
    parts = urlsplit(url)
    return bool(parts.scheme and parts.netloc)


class DirectoryPinger:
    """Pings the directory every `interval` seconds while a publisher is connected."""

    def __init__(
        self,
        client: DirectoryClient,
        target: Callable[[], DirectoryTarget],
        online: Callable[[], bool],
        load_key: Callable[[], Awaitable[str | None]],
        save_key: Callable[[str], Awaitable[None]],
        *,
        interval: float = PING_INTERVAL_SECONDS,
    ) -> None:
        self._client = client
        self._target = target
        self._online = online
        self._load_key = load_key
        self._save_key = save_key
        self._interval = interval
        self._live = False
        self._changed = trio.Event()
        self._refused = False  # a refusal was logged; quiet until a ping succeeds
        self.pings = 0  # pings sent (for tests and status)

    def on_stream_event(self, event: Event) -> None:
        """EventBus subscriber: start pinging on connect, stop on disconnect."""
        if isinstance(event, StreamStarted | StreamStopped):
            self._live = isinstance(event, StreamStarted)
            self._changed.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Ping while live, until cancelled."""
        task_status.started()
        while True:
            await self._changed.wait()
            self._changed = trio.Event()
            while self._live:
                with trio.move_on_after(self._interval):
                    await self._changed.wait()
                    self._changed = trio.Event()
                    continue  # connected again or gone: start the interval over (or stop)
                await self._ping_if_due()

    async def _ping_if_due(self) -> None:
        target = self._target()
        if not (target.enabled and self._online() and valid_server_url(target.server_url)):
            return
        key = await self._load_key() or ""
        self.pings += 1
        try:
            reply = await self._client.ping(target.service_url, key, target.server_url)
        except Exception as exc:  # the directory being down must never stop the pinger
            log.warning("directory ping failed service=%s error=%s", target.service_url, exc)
            return
        if reply.key and reply.key != key:
            await self._save_key(reply.key)
        if reply.success:
            self._refused = False
        elif not self._refused:
            self._refused = True
            log.warning("directory refused the listing error=%s", reply.error or "(no reason)")

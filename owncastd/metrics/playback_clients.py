"""Each player's latest playback figures, for `GET /api/admin/viewers/playback` (develop §5.3).

Kept in memory only. A client is its CMCD `sid`, or Owncast's MD5(IP + User-Agent) id. At most
`max_clients` are tracked: a new one evicts the one updated longest ago, so a flood of made-up
session ids cannot grow memory. Error counts and quality variant changes add up per client.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from owncastd.core.cmcd import CmcdReading, Reporter

MAX_TRACKED_CLIENTS = 5_000
MAX_USER_AGENT = 512


@dataclass(frozen=True)
class ClientPlayback:
    """One player: who it is and its newest figures (None: never reported)."""

    client_id: str
    viewer_id: str  # Owncast's MD5(IP + User-Agent) viewer id
    first_seen: datetime
    user_agent: str
    ip_address: str
    last_update: datetime
    player_state: str | None = None
    bandwidth_kbps: float | None = None
    latency_seconds: float | None = None
    download_seconds: float | None = None
    bitrate_kbps: float | None = None
    error_count: int = 0
    quality_variant_changes: int = 0
    self_reporting: bool = False


def _newer(old: float | None, new: float | None) -> float | None:
    return old if new is None else new


class PlaybackClients:
    """The tracked players, least recently updated first."""

    def __init__(self, max_clients: int = MAX_TRACKED_CLIENTS) -> None:
        self.max_clients = max_clients
        self._clients: OrderedDict[str, ClientPlayback] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._clients)

    def update(self, who: Reporter, now: datetime, figures: CmcdReading) -> ClientPlayback:
        """Merge one report into the client's figures (evicting the stalest client if full)."""
        old = self._clients.pop(who.client_id, None)
        if old is None:
            if len(self._clients) >= self.max_clients:
                self._clients.popitem(last=False)
                self.evicted += 1
            old = ClientPlayback(
                who.client_id,
                who.viewer_id,
                now,
                who.user_agent[:MAX_USER_AGENT],
                who.ip_address,
                now,
            )
        changed = (
            figures.bitrate_kbps is not None
            and old.bitrate_kbps is not None
            and figures.bitrate_kbps != old.bitrate_kbps
        )
        new = replace(
            old,
            last_update=now,
            player_state=figures.player_state or old.player_state,
            bandwidth_kbps=_newer(old.bandwidth_kbps, figures.bandwidth_kbps),
            latency_seconds=_newer(old.latency_seconds, figures.latency_seconds),
            download_seconds=_newer(old.download_seconds, figures.download_seconds),
            bitrate_kbps=_newer(old.bitrate_kbps, figures.bitrate_kbps),
            error_count=old.error_count + figures.errors,
            quality_variant_changes=old.quality_variant_changes + changed + figures.variant_changes,
            self_reporting=old.self_reporting or figures.self_reporting,
        )
        self._clients[who.client_id] = new
        return new

    def get(self, client_id: str) -> ClientPlayback | None:
        """The client's figures, if tracked."""
        return self._clients.get(client_id)

    def clients(self) -> list[ClientPlayback]:
        """Every tracked client, least recently updated first."""
        return list(self._clients.values())

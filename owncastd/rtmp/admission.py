"""Who may take server resources before proving they hold a stream key (sans-IO, no trio).

* :class:`WaitingRoom` — the connections that have not published yet: at most `limit`, at most
  `per_client` from one client. A newcomer is never turned away: it evicts the oldest
  connection of its own client when that client is at its cap, else the oldest of all when the
  room is full. Holders cannot lock the publisher out: a publisher needs a slot for a moment
  (handshake to publish), and to evict it holders must open `limit` connections in that moment.
* :class:`KeyGuard` — a budget of wrong stream keys per client (a brute-force limit).
* :class:`RefusalLog` — one log line per interval for a flood of refusals, with a count.
"""

from __future__ import annotations

import logging
from typing import Generic, TypeVar

from owncastd.core.budget import ClientBudgets
from owncastd.core.log_tally import LogTally

log = logging.getLogger("owncastd.rtmp.server")

_T = TypeVar("_T")

KEY_FAILURE_BURST = 10
KEY_FAILURES_PER_MINUTE = 10.0
REFUSAL_LOG_INTERVAL = 10.0


def peer_host(peer: str) -> str:
    """The host of a `host:port` or `[v6]:port` peer string."""
    host, sep, _port = peer.rpartition(":")
    if not sep:
        return peer
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


class WaitingRoom(Generic[_T]):
    """Connections not yet publishing, oldest first (see the module docstring)."""

    def __init__(self, limit: int, per_client: int) -> None:
        if limit < 1 or per_client < 1:
            raise ValueError("limit and per_client must be positive")
        self.limit = limit
        self.per_client = per_client
        self._entries: dict[_T, str] = {}  # entry → client, in arrival order

    def __len__(self) -> int:
        return len(self._entries)

    def admit(self, client: str, entry: _T) -> list[_T]:
        """Seat `entry`; return the entries it evicts (their owners must close them)."""
        entries = self._entries
        evicted: list[_T] = []
        own = [e for e, c in entries.items() if c == client]
        if len(own) >= self.per_client:
            evicted.append(own[0])
            del entries[own[0]]
        if len(entries) >= self.limit:
            oldest = next(iter(entries))
            evicted.append(oldest)
            del entries[oldest]
        entries[entry] = client
        return evicted

    def leave(self, entry: _T) -> None:
        """`entry` published or closed (idempotent)."""
        self._entries.pop(entry, None)


class KeyGuard:
    """Wrong stream keys per client: `burst` at once, then `per_minute`; a right key is free."""

    def __init__(
        self, *, burst: int = KEY_FAILURE_BURST, per_minute: float = KEY_FAILURES_PER_MINUTE
    ) -> None:
        self._budgets = ClientBudgets(burst=burst, per_minute=per_minute)

    def may_try(self, client: str, now: float) -> bool:
        """True if `client` has a wrong key left (else do not even check its key)."""
        return self._budgets.allowed(client, now)

    def failed(self, client: str, now: float) -> None:
        """`client` sent a wrong key; logs once when that spends its budget."""
        budgets = self._budgets
        budgets.charge(client, now)
        if budgets.note_lockout(client, now):
            log.warning(
                "rtmp stream key guesses limited client=%s burst=%d per_minute=%g retry_after=%ds",
                client,
                budgets.burst,
                budgets.per_minute,
                budgets.retry_after(client, now),
            )


class RefusalLog:
    """Logs `rtmp connection <what> … reason=<reason>` at most once per interval, counting."""

    def __init__(self, what: str, reason: str, interval: float = REFUSAL_LOG_INTERVAL) -> None:
        self._what = what
        self._reason = reason
        self._tally = LogTally(interval)

    def note(self, peer: str, now: float) -> None:
        count = self._tally.note(now)
        if count:
            log.warning(
                "rtmp connection %s peer=%s reason=%s count=%d",
                self._what,
                peer,
                self._reason,
                count,
            )

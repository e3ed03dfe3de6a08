"""What the daemon asks of federation, as small Protocols (implemented in owncastd.federation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class FederationError(Exception):
    """A federation request that could not be done (the message says why, for the caller)."""


class ActivitySender(Protocol):
    """Delivers activities to remote inboxes, signed with the server's key."""

    async def send(self, activity: Mapping[str, Any], inboxes: Sequence[str]) -> None:
        """Deliver `activity` (JSON-ready) to each inbox; returns once the deliveries are handed
        over (queued or sent). One inbox failing never stops the others."""


class DirectMessenger(Protocol):
    """Sends a private Note from the server's actor to one Fediverse account."""

    async def send_direct(self, account: str, text: str) -> None:
        """DM `account` (``user@host``); raise FederationError when it can't be resolved or
        handed over (the message is shown to the viewer)."""

"""What the bridge reports to `GET /api/admin/chatwoot/status` (and `owncastctl chatwoot
status`): implemented by the bridge, read by the Chatwoot admin service."""

from __future__ import annotations

from typing import Protocol


class ChatwootStatusSource(Protocol):
    """The bridge's live figures."""

    @property
    def queued(self) -> int:
        """Messages waiting in the outbox for Chatwoot."""
        ...

    @property
    def last_error(self) -> str | None:
        """The last Chatwoot call's error (no secrets), None when the last call worked."""
        ...

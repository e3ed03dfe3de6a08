"""What the cluster core needs from the bus adapter (Redis in `owncastd.cluster`)."""

from __future__ import annotations

from typing import Any, Protocol


class ClusterBus(Protocol):
    """Origin → edges. Both calls queue and return at once, in order (never block)."""

    def publish_chat(self, data: bytes) -> None:
        """`TARGET + "\\n" + FRAME` on `P:chat:out`."""

    def publish_control(self, message: dict[str, Any]) -> None:
        """A JSON control message on `P:cluster:control`."""


class ClusterStatus(Protocol):
    """What the admin route shows of the cluster (`GET /api/admin/cluster`)."""

    def status_json(self) -> dict[str, Any]: ...

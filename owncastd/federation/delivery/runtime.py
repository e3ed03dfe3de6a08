"""The queue's poster over :class:`owncastd.federation.runtime.FederationRuntime`: the signed
client of the moment (its key id and private-address rule follow the settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from owncastd.federation.runtime import FederationRuntime


class RuntimePoster:
    """Signs and POSTs through the runtime's shared client."""

    def __init__(self, runtime: FederationRuntime) -> None:
        self._runtime = runtime

    async def post_activity(self, inbox: str, body: bytes) -> int:
        """POST `body` to `inbox`, signed now; the status (FederationError if it failed)."""
        return await (await self._runtime.http()).post_activity(inbox, body)

"""The server key and the signed HTTP client, kept in step with the settings: the key is
loaded (or made) on first use, and every use reads the current actor IRI and
``allow_private_addresses``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import trio

from owncastd.config.settings import Settings
from owncastd.core.federation import iris

if TYPE_CHECKING:  # cryptography (~80 ms) is imported on first use, not at the daemon's start
    import httpx

    from owncastd.federation.keys import KeyValues, ServerKey
    from owncastd.federation.signed_http import SignedHttp

PUBLISHED = "federation_published"  # when the actor was first made (its `published`)


class FederationRuntime:
    """The key pair and one :class:`SignedHttp`, made on first need."""

    def __init__(
        self,
        values: KeyValues,
        settings: Callable[[], Settings],
        *,
        user_agent: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._values, self._settings = values, settings
        self._user_agent, self._transport = user_agent, transport
        self._lock = trio.Lock()
        self._key: ServerKey | None = None
        self._http: SignedHttp | None = None

    async def key(self) -> ServerKey:
        """The server's key pair (loaded from the datastore, or made once)."""
        from owncastd.federation.keys import load_or_create

        async with self._lock:
            if self._key is None:
                self._key = await load_or_create(self._values)
                if not await self._values.get(PUBLISHED):
                    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                    await self._values.put(PUBLISHED, now)
            return self._key

    async def public_pem(self) -> str:
        """The public key as the actor document shows it."""
        return (await self.key()).public_pem

    async def published(self) -> str:
        """When the actor was first made (RFC 3339)."""
        await self.key()
        return await self._values.get(PUBLISHED) or ""

    async def sign_digest(self, body: bytes) -> dict[str, str]:
        """``Digest`` and a ``Signature`` covering only it, for an ActivityPub response (as
        Owncast signs its GET responses)."""
        from owncastd.federation.httpsig import digest_header, signature_header

        key = await self.key()
        digest = digest_header(body)
        signature = signature_header(key.private, self._key_id(), ("digest",), {"digest": digest})
        return {"Digest": digest, "Signature": signature}

    async def http(self) -> SignedHttp:
        """The signed client, its key id and private-address rule set from the settings now."""
        from owncastd.federation.signed_http import SignedHttp

        key, key_id = await self.key(), self._key_id()
        if self._http is None:
            self._http = SignedHttp(
                key, key_id, user_agent=self._user_agent, transport=self._transport
            )
        self._http.key_id = key_id
        self._http.allow_private = self._settings().federation.allow_private_addresses
        return self._http

    def _key_id(self) -> str:
        current = self._settings()
        return iris.key_id(iris.actor_iri(current.server.url, current.federation.username))

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        if self._http is not None:
            await self._http.aclose()

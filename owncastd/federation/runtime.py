"""The server key and the signed HTTP client, kept in step with the settings: the key is
loaded (or made) on first use, and every use reads the current actor IRI and
``allow_private_addresses``. Also the queue-less sender used until a delivery queue replaces it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        from owncastd.federation.httpsig import digest_header

        key = await self.key()
        current = self._settings()
        key_id = iris.key_id(iris.actor_iri(current.server.url, current.federation.username))
        digest = digest_header(body)
        signed = key.private.sign(f"digest: {digest}".encode(), padding.PKCS1v15(), hashes.SHA256())
        signature = base64.b64encode(signed).decode()
        return {
            "Digest": digest,
            "Signature": f'keyId="{key_id}",algorithm="rsa-sha256",headers="digest",'
            f'signature="{signature}"',
        }

    async def http(self) -> SignedHttp:
        """The signed client, its key id and private-address rule set from the settings now."""
        from owncastd.federation.signed_http import SignedHttp

        key = await self.key()
        current = self._settings()
        key_id = iris.key_id(iris.actor_iri(current.server.url, current.federation.username))
        if self._http is None:
            self._http = SignedHttp(
                key, key_id, user_agent=self._user_agent, transport=self._transport
            )
        self._http.key_id = key_id
        self._http.allow_private = current.federation.allow_private_addresses
        return self._http

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        if self._http is not None:
            await self._http.aclose()


class RuntimeSender:
    """An ActivitySender posting at once through the runtime's client (no queue, no retry)."""

    def __init__(self, runtime: FederationRuntime) -> None:
        self._runtime = runtime

    async def send(self, activity: Mapping[str, Any], inboxes: Sequence[str]) -> None:
        """Deliver `activity` to each inbox now."""
        from owncastd.federation.signed_http import ImmediateSender

        await ImmediateSender(await self._runtime.http()).send(activity, inboxes)

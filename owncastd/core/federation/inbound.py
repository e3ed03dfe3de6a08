"""What the inbox asks of the federation adapter: check who signed a request (and fetch remote
actors). Implemented by :mod:`owncastd.federation.inbound`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class RequestRefused(Exception):
    """An inbound request whose signature or sender is not accepted (answered 401; the message
    is short and safe to show)."""


@dataclass(frozen=True)
class SignedSender:
    """The verified sender of an inbound activity: the signing key's owner and its actor
    document (empty when only a bare key object was published)."""

    actor: str
    document: Mapping[str, Any] = field(default_factory=dict)


class ActorFetcher(Protocol):
    """Fetches (and caches) remote actor documents, signed with the server's key."""

    async def actor(self, iri: str) -> Mapping[str, Any]:
        """The document at `iri`; FederationError when it can't be fetched."""


class InboundVerifier(Protocol):
    """Checks an inbound POST's HTTP signature, its sender, and the activity's actor."""

    async def verify(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        activity: Mapping[str, Any],
    ) -> SignedSender:
        """The verified sender; RequestRefused says why the request is not accepted."""


class PublicKeySource(Protocol):
    """The server actor's key pair (made on first use) as the routes need it."""

    async def public_pem(self) -> str:
        """The PKIX PEM shown in the actor document."""

    async def published(self) -> str:
        """When the actor was first made (RFC 3339), its ``published``."""

    async def sign_digest(self, body: bytes) -> dict[str, str]:
        """``Digest`` and ``Signature`` (covering only the digest) for a response body."""

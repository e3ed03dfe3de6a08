"""Who sent an inbound activity (develop §1.5): the ``Signature`` header is parsed, the keyId's
document fetched (signed GET, cached), the key owner checked against the blocked domains
(substring match) and blocked actors, the signature, Digest and Date verified, and the
activity's ``actor`` bound to the key owner's host. Any failure is a RequestRefused."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from owncastd.core.federation import iris
from owncastd.core.federation.inbound import RequestRefused, SignedSender
from owncastd.core.federation.ports import FederationError

if TYPE_CHECKING:
    from owncastd.federation.signed_http import SignedHttp

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600.0
CACHE_SIZE = 1000
FAILURE_SECONDS = 60.0  # a keyId that could not be fetched is not fetched again for a minute
ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")


class ActorCache:
    """Remote documents by IRI (no fragment), kept `ttl` seconds, at most `size` of them."""

    def __init__(
        self,
        http: Callable[[], Awaitable[SignedHttp]],
        clock: Callable[[], float],
        *,
        ttl: float = CACHE_SECONDS,
        size: int = CACHE_SIZE,
    ) -> None:
        self._http, self._clock, self._ttl, self._size = http, clock, ttl, size
        self._entries: OrderedDict[str, tuple[float, Mapping[str, Any]]] = OrderedDict()
        self._failures: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def actor(self, iri: str, *, fresh: bool = False) -> Mapping[str, Any]:
        """The document at `iri` (from the cache unless `fresh`); FederationError otherwise
        (a failure is remembered for FAILURE_SECONDS, so a flood of unknown keyIds does not
        become a flood of fetches)."""
        url, now = urldefrag(iri).url, self._clock()
        cached = self._entries.get(url)
        if cached is not None and not fresh and now - cached[0] < self._ttl:
            self._entries.move_to_end(url)
            return cached[1]
        failed = self._failures.get(url)
        if failed is not None and now - failed[0] < FAILURE_SECONDS:
            raise FederationError(failed[1])
        try:
            document = await (await self._http()).get_json(url)
            if not isinstance(document, dict):
                raise FederationError(f"{urlsplit(url).netloc[:200]} did not answer an object")
        except FederationError as exc:
            _remember(self._failures, url, (self._clock(), str(exc)), self._size)
            raise
        _remember(self._entries, url, (self._clock(), document), self._size)
        return document

    def cached(self, iri: str) -> bool:
        """True when `iri`'s document is in the cache."""
        return urldefrag(iri).url in self._entries


class SignatureCheck:
    """Implements :class:`owncastd.core.federation.inbound.InboundVerifier`."""

    def __init__(
        self,
        actors: ActorCache,
        clock: Callable[[], float],
        *,
        blocked_domains: Callable[[], Sequence[str]],
        is_blocked: Callable[[str], Awaitable[bool]],
        allow_http: Callable[[], bool],
    ) -> None:
        self._actors, self._clock = actors, clock
        self._blocked_domains, self._is_blocked = blocked_domains, is_blocked
        self._allow_http = allow_http

    async def verify(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        activity: Mapping[str, Any],
    ) -> SignedSender:
        """The key owner and its document, once everything checks out."""
        from owncastd.federation.httpsig import SignatureError, parse_signature

        value = headers.get("signature", "")
        if not value:
            raise RequestRefused("request is not signed")
        try:
            params = parse_signature(value)
        except SignatureError as exc:
            raise RequestRefused(str(exc)) from None
        schemes = ("https", "http") if self._allow_http() else ("https",)
        if urlsplit(params.key_id).scheme not in schemes:
            raise RequestRefused("keyId must be an https URL")
        was_cached = self._actors.cached(params.key_id)
        pem, owner, document = await self._key(params.key_id, fresh=False)
        await self._check_sender(owner)
        try:
            self._verify(params, pem, method, target, headers, body)
        except RequestRefused:
            if not was_cached:
                raise
            pem, owner, document = await self._key(params.key_id, fresh=True)  # a new key?
            self._verify(params, pem, method, target, headers, body)
        _bind_actor(activity, owner)
        return SignedSender(owner, document)

    def _verify(
        self,
        params: Any,
        pem: str,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        # Imported on first use: cryptography costs ~80 ms, kept out of the daemon's start.
        from owncastd.federation.httpsig import SignatureError, verify_request
        from owncastd.federation.keys import load_public_key

        try:
            key = load_public_key(pem)
        except Exception:  # ValueError, UnsupportedAlgorithm: whatever the remote published
            raise RequestRefused("the sender's key is not an RSA public key") from None
        try:
            verify_request(params, key, method, target, headers, body, self._clock())
        except SignatureError as exc:
            raise RequestRefused(str(exc)) from None

    async def _key(self, key_id: str, *, fresh: bool) -> tuple[str, str, Mapping[str, Any]]:
        """(public PEM, owner IRI, owner's actor document) for `key_id`."""
        try:
            document = await self._actors.actor(key_id, fresh=fresh)
        except FederationError as exc:
            raise RequestRefused(f"the signing key could not be fetched: {exc}") from None
        key = _key_object(document)
        pem, owner = key.get("publicKeyPem"), key.get("owner")
        if not isinstance(pem, str) or not isinstance(owner, str) or not owner:
            raise RequestRefused("the signing key has no owner or PEM")
        if document.get("type") in ACTOR_TYPES and document.get("id") == owner:
            return pem, owner, document
        try:
            owner_document = await self._actors.actor(owner)
        except FederationError:
            owner_document = {}
        return pem, owner, owner_document

    async def _check_sender(self, owner: str) -> None:
        host = iris.host_of(owner)
        if not host:
            raise RequestRefused("the key owner has no host")
        if any(blocked and blocked.lower() in host for blocked in self._blocked_domains()):
            raise RequestRefused("domain is blocked")
        if await self._is_blocked(owner):
            raise RequestRefused("actor is blocked")


def _remember(entries: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > size:
        entries.popitem(last=False)


def _key_object(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """An actor's first ``publicKey``, or the document itself when it is a bare key."""
    key = document.get("publicKey")
    if isinstance(key, list):
        key = key[0] if key else None
    if isinstance(key, dict):
        return key
    return document


def activity_actor(activity: Mapping[str, Any]) -> str:
    """The activity's ``actor``: a string, an ``{id}`` object or the first of a list."""
    actor = activity.get("actor")
    if isinstance(actor, list):
        actor = actor[0] if actor else None
    if isinstance(actor, dict):
        actor = actor.get("id")
    return actor if isinstance(actor, str) else ""


def _bind_actor(activity: Mapping[str, Any], owner: str) -> None:
    actor = activity_actor(activity)
    if not actor:
        raise RequestRefused("the activity has no actor")
    if iris.host_of(actor) != iris.host_of(owner):
        raise RequestRefused("the activity's actor is not on the signer's host")

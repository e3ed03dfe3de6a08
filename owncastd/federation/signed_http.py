"""Signed requests from the server's actor: POSTs of activities to inboxes and GETs of remote
documents (actors, keys, webfinger), each with a deadline, a response size cap, and never to a
loopback, private or link-local address unless `allow_private` (tests, private networks).

The persistent delivery queue (:mod:`owncastd.federation.delivery`) posts through
:meth:`SignedHttp.post_activity`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import trio

from owncastd.core.federation.ports import FederationError
from owncastd.federation.capped_read import host_of, read_capped
from owncastd.federation.httpsig import sign_request
from owncastd.federation.keys import ServerKey
from owncastd.outbound.client import LeanClient, OutboundError
from owncastd.outbound.proxy_env import ProxyRule

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

ACTIVITY_JSON = "application/activity+json"
ACCEPT_AP = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
REQUEST_SECONDS = 10.0


def check_destination(url: str, *, allow_private: bool) -> None:
    """FederationError unless `url` is an https URL (http too with `allow_private`) whose host
    is not a literal loopback/private/link-local address or ``localhost``."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise FederationError(f"not an https URL: {url[:200]}")
    if allow_private:
        return
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        raise FederationError(f"refusing a local address: {host}")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise FederationError(f"refusing a local or private address: {host}")


class SignedHttp:
    """Signed GETs and POSTs with the server's key (`key_id` is ``<actor>#main-key``).

    Deliveries go through the lean client (:mod:`owncastd.outbound`); through httpx when a
    `transport` is given (tests) or a proxy variable applies to the inbox. GETs use httpx.
    """

    def __init__(
        self,
        key: ServerKey,
        key_id: str,
        *,
        user_agent: str,
        allow_private: bool = False,
        timeout: float = REQUEST_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.key, self.key_id = key, key_id
        self.allow_private = allow_private
        self._user_agent, self._timeout, self._transport = user_agent, timeout, transport
        self._client: httpx.AsyncClient | None = None
        self._lean = LeanClient(timeout=timeout, headers={"User-Agent": user_agent})
        self._proxies = ProxyRule()

    def client(self) -> httpx.AsyncClient:
        """The shared keep-alive client (made on first use; httpx is imported lazily)."""
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout),
                follow_redirects=False,
                headers={"User-Agent": self._user_agent},
                transport=self._transport,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            )
        return self._client

    async def aclose(self) -> None:
        """Close the shared clients."""
        await self._lean.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post_activity(self, inbox: str, body: bytes) -> int:
        """POST `body` (activity JSON) to `inbox`, signed; the response status. Raises
        FederationError for a refused destination, a timeout or a connection failure."""
        check_destination(inbox, allow_private=self.allow_private)
        headers = sign_request(self.key.private, self.key_id, "POST", inbox, body, time.time())
        headers.update({"Content-Type": ACTIVITY_JSON, "Accept": ACCEPT_AP})
        if self._transport is None and not self._proxies.applies(inbox):
            return await self._post_lean(inbox, body, headers)
        try:
            with trio.fail_after(self._timeout):
                response = await self.client().post(inbox, content=body, headers=headers)
                await response.aclose()
        except trio.TooSlowError:
            raise FederationError(f"{host_of(inbox)} did not answer in time") from None
        except Exception as exc:  # httpx's errors: connection refused, reset, bad response
            raise FederationError(f"{host_of(inbox)}: {type(exc).__name__}") from None
        return response.status_code

    async def _post_lean(self, inbox: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            with trio.fail_after(self._timeout):
                status, _, _ = await self._lean.request("POST", inbox, headers, body)
        except trio.TooSlowError:
            raise FederationError(f"{host_of(inbox)} did not answer in time") from None
        except OutboundError as exc:
            if exc.reason == "timeout":
                raise FederationError(f"{host_of(inbox)} did not answer in time") from None
            raise FederationError(f"{host_of(inbox)}: {exc.reason}") from None
        return status

    async def get_json(self, url: str) -> Any:
        """GET `url` signed, as ActivityPub JSON (at most MAX_RESPONSE_BYTES); FederationError
        for a refused destination, a non-2xx answer, a timeout, an oversized or non-JSON body."""
        check_destination(url, allow_private=self.allow_private)
        headers = sign_request(self.key.private, self.key_id, "GET", url, None, time.time())
        headers["Accept"] = ACCEPT_AP
        try:
            with trio.fail_after(self._timeout):
                async with self.client().stream("GET", url, headers=headers) as response:
                    if response.status_code >= 300:
                        raise FederationError(f"{host_of(url)} answered {response.status_code}")
                    body = await read_capped(response, FederationError)
        except trio.TooSlowError:
            raise FederationError(f"{host_of(url)} did not answer in time") from None
        except FederationError:
            raise
        except Exception as exc:
            raise FederationError(f"{host_of(url)}: {type(exc).__name__}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise FederationError(f"{host_of(url)} did not answer JSON") from None

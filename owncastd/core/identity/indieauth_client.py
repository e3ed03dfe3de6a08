"""The IndieAuth client for chat users (develop §2.2): a viewer proves they own a web page.

`start` finds the page's authorization endpoint and returns where to send the browser, with a
`state` and a PKCE S256 challenge whose verifier stays here (10 minutes, at most 1000 pending).
`finish` redeems the code at that endpoint with the verifier, checks `me` and links it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from owncastd.core.identity.indieauth import (
    canonical_me,
    find_endpoint,
    random_text,
    redirect_url,
    s256,
)
from owncastd.core.identity.linking import INDIEAUTH, IdentityLinker, Requester
from owncastd.core.identity.pending import Pending

log = logging.getLogger(__name__)

MAX_PENDING = 1000
REQUEST_TTL = 10 * 60.0
STATE_LENGTH = 20
VERIFIER_LENGTH = 50
CALLBACK_PATH = "/api/auth/indieauth/callback"
NO_SERVER_URL = "Owncast server URL must be set when using auth"
TOO_MANY = "Please try again later. Too many pending requests."


class IndieAuthError(Exception):
    """A failure; for `start` the message is shown to the viewer."""


class IndieAuthWeb(Protocol):
    """The fetches (an adapter: deadlines, size caps, no private addresses unless allowed)."""

    async def fetch_page(self, url: str) -> tuple[str, list[str]]:
        """The page's text and its Link header values; IndieAuthError when it can't."""

    async def redeem(self, endpoint: str, form: dict[str, str]) -> tuple[int, Any]:
        """POST the form; the status and the JSON reply (None when not JSON)."""


@dataclass(frozen=True)
class _Request:
    who: Requester
    auth_host: str
    endpoint: str
    verifier: str
    client_id: str
    redirect_uri: str


class IndieAuthClient:
    """Chat users' IndieAuth logins. `server_url` and `allow_http` are read at each use
    (`allow_http`: loopback tests and private networks may use http pages)."""

    def __init__(
        self,
        web: IndieAuthWeb,
        linker: IdentityLinker,
        server_url: Callable[[], str],
        *,
        allow_http: Callable[[], bool] = lambda: False,
        now: Callable[[], float] = time.monotonic,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._web, self._linker = web, linker
        self._server_url, self._allow_http = server_url, allow_http
        self._pending: Pending[str, _Request] = Pending(max_pending, REQUEST_TTL, now)

    async def start(self, who: Requester, auth_host: str) -> str:
        """The URL to send the browser to; IndieAuthError with Owncast's message otherwise."""
        base = self._server_url().rstrip("/")
        if not base:
            raise IndieAuthError(NO_SERVER_URL)
        if self._pending.full():
            raise IndieAuthError(TOO_MANY)
        schemes = ("https", "http") if self._allow_http() else ("https",)
        if auth_host.split("://", 1)[0].lower() not in schemes or "://" not in auth_host:
            raise IndieAuthError("unable to get authorization endpoint: url must be https")
        html, links = await self._web.fetch_page(auth_host)
        endpoint = find_endpoint(auth_host, html, links)
        if endpoint is None:
            raise IndieAuthError(
                "unable to get authorization endpoint: url does not support indieauth"
            )
        state, verifier = random_text(STATE_LENGTH), random_text(VERIFIER_LENGTH)
        request = _Request(who, auth_host, endpoint, verifier, base, base + CALLBACK_PATH)
        if not self._pending.put(state, request):
            raise IndieAuthError(TOO_MANY)
        params = {
            "response_type": "code",
            "client_id": request.client_id,
            "state": state,
            "code_challenge_method": "S256",
            "code_challenge": s256(verifier),
            "me": auth_host,
            "redirect_uri": request.redirect_uri,
        }
        return redirect_url(endpoint, auth_host, params)

    async def finish(self, state: str, code: str) -> None:
        """Redeem `code` for the request under `state` and link `me`; IndieAuthError when
        anything is wrong (the state is used up either way)."""
        request = self._pending.pop(state)
        if request is None or not code:
            raise IndieAuthError("unknown or expired state")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": request.client_id,
            "redirect_uri": request.redirect_uri,
            "code_verifier": request.verifier,
        }
        status, reply = await self._web.redeem(request.endpoint, form)
        me = _checked_me(status, reply)
        if canonical_me(me) != canonical_me(request.auth_host):
            raise IndieAuthError("me does not match the requested site")
        await self._linker.link(request.who, canonical_me(me), INDIEAUTH)


def _checked_me(status: int, reply: Any) -> str:
    if not 200 <= status < 300:
        raise IndieAuthError(f"the authorization endpoint answered {status}")
    if not isinstance(reply, dict):
        raise IndieAuthError("the authorization endpoint did not answer JSON")
    if reply.get("error"):
        raise IndieAuthError(f"the authorization endpoint refused: {reply.get('error')!s:.100}")
    me = reply.get("me")
    if not isinstance(me, str) or not me:
        raise IndieAuthError("the authorization endpoint sent no me")
    return me

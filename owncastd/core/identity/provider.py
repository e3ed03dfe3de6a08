"""The IndieAuth provider (develop §2.3): the admin logs in to other sites as this server.

`authorize` (behind admin Basic auth) keeps a code with the client's PKCE challenge and returns
the redirect back to the client; `redeem` checks the code, client, redirect and verifier.
Beyond Owncast, a redeemed code cannot be redeemed again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from owncastd.core.identity.indieauth import challenge_matches, is_http_url, random_text
from owncastd.core.identity.pending import Pending

MAX_PENDING = 100
CODE_TTL = 10 * 60.0
CODE_LENGTH = 10


class ProviderError(Exception):
    """Why a request is refused (shown to the caller)."""


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str


class IndieAuthProvider:
    """Pending authorization codes of the admin's logins elsewhere."""

    def __init__(
        self, *, now: Callable[[], float] = time.monotonic, max_pending: int = MAX_PENDING
    ) -> None:
        self._codes: Pending[str, _Grant] = Pending(max_pending, CODE_TTL, now)

    def authorize(self, client_id: str, redirect_uri: str, challenge: str, state: str) -> str:
        """The URL to send the admin's browser back to, with `code` and `state`."""
        if not is_http_url(client_id) or not is_http_url(redirect_uri):
            raise ProviderError("client_id and redirect_uri must be absolute http(s) URLs")
        if urlsplit(client_id).hostname != urlsplit(redirect_uri).hostname:
            raise ProviderError("redirect_uri host does not match client_id host")
        if not challenge:
            raise ProviderError("code_challenge is required")
        code = random_text(CODE_LENGTH)
        if not self._codes.put(code, _Grant(client_id, redirect_uri, challenge)):
            raise ProviderError("too many pending requests, please try again later")
        parts = urlsplit(redirect_uri)
        query = [*parse_qsl(parts.query), ("code", code), ("state", state)]
        return urlunsplit((*parts[:3], urlencode(query), parts.fragment))

    def redeem(self, code: str, redirect_uri: str, client_id: str, verifier: str) -> None:
        """ProviderError unless the code is pending for this client and redirect, and the
        verifier matches its challenge; the code is used up on success."""
        grant = self._codes.get(code)
        if grant is None:
            raise ProviderError("code not found")
        if grant.redirect_uri != redirect_uri:
            raise ProviderError("redirect_uri does not match")
        if grant.client_id != client_id:
            raise ProviderError("client_id does not match")
        if not challenge_matches(verifier, grant.challenge):
            raise ProviderError("code verifier does not match the code challenge")
        self._codes.pop(code)

"""A person's IndieAuth site on loopback, written for the tests (trio + h11): a home page that
names its authorization endpoint, and the endpoint itself.

The "browser visit" to the endpoint is `approve(redirect_url)`: it records the PKCE challenge
and returns the code the site would send back (a real browser's `GET /auth` is approved at once
and redirected back with the code). The code exchange (`POST /auth`) checks the
code, the client, the redirect URI and SHA-256(code_verifier) against the challenge with its
own hashlib, and refuses anything wrong with `{"error": "invalid_grant"}`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import h11
import trio

from tests.loopback_http import Answer, serve_h11


def query_of(url: str) -> dict[str, str]:
    """The first value of each query parameter."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str


@dataclass
class IndieAuthSite:
    """Listens on 127.0.0.1; `me` is the profile URL a viewer types."""

    port: int = 0
    link_header: bool = False  # name the endpoint in a Link header instead of the page
    me_override: str | None = None  # answer this `me` instead of the site's own
    grants: dict[str, _Grant] = field(default_factory=dict)
    exchanges: list[dict[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def me(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def start(self, nursery: trio.Nursery) -> IndieAuthSite:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        self.port = listeners[0].socket.getsockname()[1]
        nursery.start_soon(trio.serve_listeners, self._serve, listeners)
        return self

    def approve(self, redirect_url: str) -> tuple[str, str]:
        """The person approves the login: (code, state) as the site redirects back with."""
        query = query_of(redirect_url)
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(12)
        self.grants[code] = _Grant(
            query["client_id"], query["redirect_uri"], query["code_challenge"]
        )
        return code, query["state"]

    def _exchange(self, form: dict[str, str]) -> tuple[int, dict[str, str]]:
        self.exchanges.append(form)
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "").encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if grant is None:
            reason = "unknown code"
        elif form.get("grant_type") != "authorization_code":
            reason = "bad grant_type"
        elif (form.get("client_id"), form.get("redirect_uri")) != (
            grant.client_id,
            grant.redirect_uri,
        ):
            reason = "client mismatch"
        elif digest.decode() != grant.challenge:
            reason = "PKCE verifier does not match the challenge"
        else:
            return 200, {"me": self.me_override or self.me}
        self.refusals.append(reason)
        return 400, {"error": "invalid_grant", "error_description": reason}

    def _answer(self, method: str, target: str, body: bytes) -> tuple[int, list, bytes]:
        path = urlsplit(target).path
        if method == "GET" and path == "/":
            headers = [("Content-Type", "text/html")]
            link = '<link rel="authorization_endpoint" href="/auth?from=page">'
            if self.link_header:
                headers.append(("Link", '</auth?from=header>; rel="authorization_endpoint"'))
                link = ""
            page = f'<html><head><link rel="me" href="/x">{link}</head><body>hi</body></html>'
            return 200, headers, page.encode()
        if method == "GET" and path == "/auth":  # the browser's visit: approved at once
            code, state = self.approve(target)
            back = query_of(target)["redirect_uri"]
            location = f"{back}?{urlencode({'code': code, 'state': state})}"
            return 302, [("Location", location), ("Content-Type", "text/plain")], b""
        if method == "POST" and path == "/auth":
            status, reply = self._exchange(dict(parse_qsl(body.decode())))
            return status, [("Content-Type", "application/json")], json.dumps(reply).encode()
        return 404, [("Content-Type", "text/plain")], b"not found"

    async def _serve(self, stream: trio.SocketStream) -> None:
        async def answer(request: h11.Request, body: bytes) -> Answer:
            return self._answer(request.method.decode(), request.target.decode(), body)

        await serve_h11(stream, answer)

"""The admin guard: HTTP Basic, user `admin`, the bcrypt-hashed admin password (§1.2).

bcrypt is deliberately slow, so checks run on a worker thread and a successful check is
remembered (by a keyed digest of the password, never the password itself) until the hash
changes: a polling admin client costs one bcrypt per password change, not per request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import ParamSpec

import bcrypt
import trio
from quart import Response, request

from owncastd.settings import SettingsRef

ADMIN_USER = "admin"
REALM = 'Basic realm="Owncast Authenticated Request"'
ADMIN_CORS_ORIGIN = "http://localhost:3000"

P = ParamSpec("P")


class AdminGuard:
    """Checks admin credentials against the current settings."""

    def __init__(self, settings: SettingsRef) -> None:
        self._settings = settings
        self._key = secrets.token_bytes(32)
        self._verified: tuple[str, bytes] | None = None  # (hash, digest of good password)

    async def is_admin(self, username: str, password: str) -> bool:
        """True when `username`/`password` are the admin's (constant time)."""
        user_ok = hmac.compare_digest(username.encode(), ADMIN_USER.encode())
        password_hash = self._settings.current.admin.password_hash
        if not password_hash:
            return False
        digest = hmac.new(self._key, password.encode(), hashlib.sha256).digest()
        cached = self._verified
        if cached is not None and cached[0] == password_hash:
            return user_ok & hmac.compare_digest(cached[1], digest)
        ok = await trio.to_thread.run_sync(_bcrypt_check, password, password_hash)
        if ok:
            self._verified = (password_hash, digest)
        return user_ok & ok

    def require(
        self, handler: Callable[P, Awaitable[Response]]
    ) -> Callable[P, Awaitable[Response]]:
        """Decorate a route: 401 with `WWW-Authenticate` unless admin; OPTIONS gets 204."""

        @functools.wraps(handler)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> Response:
            if request.method == "OPTIONS":
                return _preflight()
            auth = request.authorization
            if auth is None or auth.type != "basic" or auth.username is None:
                return unauthorized()
            if not await self.is_admin(auth.username, auth.password or ""):
                return unauthorized()
            return await handler(*args, **kwargs)

        return guarded


def _bcrypt_check(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def unauthorized() -> Response:
    """Owncast's 401 for admin routes."""
    response = Response("Unauthorised\n", status=401, content_type="text/plain; charset=utf-8")
    response.headers["WWW-Authenticate"] = REALM
    return response


def _preflight() -> Response:
    response = Response("", status=204)
    response.headers["Access-Control-Allow-Origin"] = ADMIN_CORS_ORIGIN
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    return response

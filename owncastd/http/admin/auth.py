"""The admin guard: HTTP Basic, user `admin`, the bcrypt-hashed admin password (§1.2).

bcrypt is deliberately slow, so checks run on worker threads of their own (two at most, not
trio's shared default limiter) and a successful check is remembered (by a keyed digest of the
password, never the password itself) until the hash changes: a polling admin client costs one
bcrypt per password change, not per request. Concurrent checks of the same credentials share one
bcrypt run.

Failed logins are budgeted per client address (:class:`~owncastd.core.budget.ClientBudgets`,
10 at once, then 10 a minute): once a client's budget is spent, its credentials are not checked
at all (401 with `Retry-After`) until the budget refills, so neither bcrypt nor the cache
of the good password answers guesses faster than that. Good logins cost nothing.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import ParamSpec

import bcrypt
import trio
from quart import Response, request

from owncastd.config.settings import SettingsRef
from owncastd.core.budget import ClientBudgets, client_key
from owncastd.http.client_address import request_ip

log = logging.getLogger(__name__)

ADMIN_USER = "admin"
REALM = 'Basic realm="Owncast Authenticated Request"'
ADMIN_CORS_ORIGIN = "http://localhost:3000"
BCRYPT_THREADS = 2
LOGIN_FAILURE_BURST = 10
LOGIN_FAILURES_PER_MINUTE = 10.0

P = ParamSpec("P")


def login_budgets() -> ClientBudgets:
    """The default failed-login budget: 10 failures at once, then 10 a minute, per client."""
    return ClientBudgets(burst=LOGIN_FAILURE_BURST, per_minute=LOGIN_FAILURES_PER_MINUTE)


class Verdict(enum.Enum):
    """The outcome of one admin login attempt."""

    OK = "ok"
    DENIED = "denied"
    THROTTLED = "throttled"  # not checked: the client spent its failures


class _Check:
    """One bcrypt run that concurrent requests with the same credentials wait for."""

    def __init__(self) -> None:
        self.done = trio.Event()
        self.ok: bool | None = None  # None: the run was cancelled before it decided


class AdminGuard:
    """Checks admin credentials against the current settings, with a failed-login budget.

    `throttle` defaults to 10 failures a minute per client; `bcrypt_threads` bounds the worker
    threads bcrypt may occupy at once.
    """

    def __init__(
        self,
        settings: SettingsRef,
        *,
        throttle: ClientBudgets | None = None,
        bcrypt_threads: int = BCRYPT_THREADS,
    ) -> None:
        self._settings = settings
        self._key = secrets.token_bytes(32)
        self._verified: tuple[str, bytes] | None = None  # (hash, digest of good password)
        self._throttle = throttle if throttle is not None else login_budgets()
        self._bcrypt_limiter = trio.CapacityLimiter(bcrypt_threads)
        self._checks: dict[tuple[str, bytes], _Check] = {}

    async def authenticate(self, client: str, username: str, password: str) -> Verdict:
        """Check `username`/`password` (constant time) for `client` (a throttle key)."""
        throttle = self._throttle
        if not throttle.allowed(client, trio.current_time()):
            return Verdict.THROTTLED
        user_ok = hmac.compare_digest(username.encode(), ADMIN_USER.encode())
        digest = hmac.new(self._key, password.encode(), hashlib.sha256).digest()
        while True:
            password_hash = self._settings.current.admin.password_hash
            if not password_hash:
                return self._failed(client)
            cached = self._verified
            if cached is not None and cached[0] == password_hash:
                if user_ok & hmac.compare_digest(cached[1], digest):
                    return Verdict.OK
                return self._failed(client)
            key = (password_hash, digest)
            check = self._checks.get(key)
            if check is not None:  # the same credentials are being checked: share the result
                await check.done.wait()
                if check.ok is None:
                    continue
                return Verdict.OK if user_ok and check.ok else Verdict.DENIED
            # Spend the failure up front so parallel guesses cannot overdraw the budget.
            if self._failed(client) is Verdict.THROTTLED:
                return Verdict.THROTTLED
            ok = await self._run_check(key, password)
            if ok and user_ok:
                throttle.refund(client, trio.current_time())
                return Verdict.OK
            return Verdict.DENIED

    def _failed(self, client: str) -> Verdict:
        throttle = self._throttle
        now = trio.current_time()
        if not throttle.charge(client, now):
            return Verdict.THROTTLED
        if throttle.note_lockout(client, now):
            log.warning(
                "admin logins throttled client=%s failures=%d per_minute=%g",
                client,
                throttle.burst,
                throttle.per_minute,
            )
        return Verdict.DENIED

    async def _run_check(self, key: tuple[str, bytes], password: str) -> bool:
        check = _Check()
        self._checks[key] = check
        try:
            check.ok = await trio.to_thread.run_sync(
                _bcrypt_check, password, key[0], limiter=self._bcrypt_limiter
            )
        finally:
            del self._checks[key]
            check.done.set()
        if check.ok:
            self._verified = (key[0], key[1])
        return check.ok

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
            client = client_key(request_ip(self._settings))
            verdict = await self.authenticate(client, auth.username, auth.password or "")
            if verdict is Verdict.THROTTLED:
                response = unauthorized()
                wait = self._throttle.retry_after(client, trio.current_time())
                response.headers["Retry-After"] = str(max(1, wait))
                return response
            if verdict is not Verdict.OK:
                return unauthorized()
            return await handler(*args, **kwargs)

        return guarded


def _bcrypt_check(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def unauthorized() -> Response:
    """Owncast's 401 for admin routes (Go's `http.Error`: text, nosniff, a newline)."""
    response = Response("Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
    response.headers["WWW-Authenticate"] = REALM
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _preflight() -> Response:
    response = Response("", status=204)
    response.headers["Access-Control-Allow-Origin"] = ADMIN_CORS_ORIGIN
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    return response

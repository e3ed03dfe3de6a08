"""The integrations guard: `Authorization: Bearer <token>` checked per scope (reference §1.2).

The "bearer " prefix is matched case-insensitively. A missing, unknown, deleted or
under-scoped token gets 401 with the plain body `unauthorized`, as Owncast answers. OPTIONS
gets 204 with `Access-Control-Allow-Origin: *`; every answer of an authorised call (errors
included) carries `ACAO: *`, and the token's last use is recorded after the handler ran.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from quart import Response, request
from werkzeug.exceptions import HTTPException

from owncastd.core.access_tokens import MAX_TOKEN_LENGTH, Integration
from owncastd.http.json_body import BadRequestError
from owncastd.http.responses import error

if TYPE_CHECKING:
    from owncastd.store.access_tokens import AccessTokenStore

P = ParamSpec("P")
BEARER = "bearer "


def bearer_token(header: str) -> str:
    """The token of an `Authorization: Bearer …` value ("" when it is not one)."""
    if header[: len(BEARER)].lower() != BEARER:
        return ""
    return header[len(BEARER) :].strip()


def unauthorized() -> Response:
    """Owncast's 401 for integration routes."""
    return Response("unauthorized", status=401, content_type="text/plain; charset=utf-8")


def preflight() -> Response:
    """204 for a CORS preflight from any origin."""
    response = Response("", status=204)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    return response


class BearerGuard:
    """Checks integration tokens for a route's scope."""

    def __init__(self, tokens: AccessTokenStore, clock: Callable[[], datetime]) -> None:
        self._tokens = tokens
        self._clock = clock

    async def integration(self, scope: str) -> Integration | None:
        """The live integration behind this request's bearer token, if it has `scope`."""
        token = bearer_token(request.headers.get("Authorization", ""))
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        found = await self._tokens.find(token)
        return found if found is not None and found.allows(scope) else None

    def require(
        self, scope: str
    ) -> Callable[
        [Callable[Concatenate[Integration, P], Awaitable[Response]]],
        Callable[P, Awaitable[Response]],
    ]:
        """Decorate a route that takes the calling integration as its first argument."""

        def decorate(
            handler: Callable[Concatenate[Integration, P], Awaitable[Response]],
        ) -> Callable[P, Awaitable[Response]]:
            @functools.wraps(handler)
            async def guarded(*args: P.args, **kwargs: P.kwargs) -> Response:
                if request.method == "OPTIONS":
                    return preflight()
                caller = await self.integration(scope)
                if caller is None:
                    return unauthorized()
                try:
                    response = await handler(caller, *args, **kwargs)
                except BadRequestError as exc:
                    response = error(exc.status, exc.message)
                except HTTPException as exc:  # e.g. 413 from the body size cap
                    response = error(exc.code or 400, exc.description or exc.name)
                finally:
                    self._tokens.mark_used(caller.id, self._clock())
                response.headers["Access-Control-Allow-Origin"] = "*"
                return response

            return guarded

        return decorate

"""The admin's IndieAuth provider (develop §2.3): other sites accept this server's URL as the
admin's identity.

- `GET /api/auth/provider/indieauth?client_id&redirect_uri&code_challenge&state` (admin Basic
  auth) → 307 to `redirect_uri` with `code` and `state`; 400 text/html with the reason when
  the client is refused (Owncast answers 500; bad input never gets a 5xx here).
- `POST /api/auth/provider/indieauth` (form: code, redirect_uri, client_id, code_verifier) →
  200 `{me, profile{name,url,photo}}`, or 200 `{error:"invalid_client", error_description}`.

The profile photo is `<server_url>/logo` (Owncast names the logo file, which is not served).
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request

from owncastd.core.identity.provider import IndieAuthProvider, ProviderError
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext

MAX_FORM_BYTES = 1 << 20
PATH = "/api/auth/provider/indieauth"


def create_provider_routes(
    ctx: WebContext, provider: IndieAuthProvider, guard: AdminGuard
) -> Blueprint:
    """The provider's authorization and code-exchange routes."""
    bp = Blueprint("indieauth_provider", __name__)

    @bp.get(PATH)
    @guard.require
    async def authorize() -> Response:
        args = request.args
        try:
            target = provider.authorize(
                args.get("client_id", ""),
                args.get("redirect_uri", ""),
                args.get("code_challenge", ""),
                args.get("state", ""),
            )
        except ProviderError as exc:
            return Response(str(exc), status=400, content_type="text/html; charset=utf-8")
        return Response("", status=307, headers={"Location": target})

    @bp.post(PATH)
    async def redeem() -> Response:
        if (request.content_length or 0) > MAX_FORM_BYTES:
            return _refused("request body too large")
        form = await request.form
        try:
            provider.redeem(
                form.get("code", ""),
                form.get("redirect_uri", ""),
                form.get("client_id", ""),
                form.get("code_verifier", ""),
            )
        except ProviderError as exc:
            return _refused(str(exc))
        server = ctx.settings.current.server
        base = server.url.rstrip("/")
        profile = {"name": server.name, "url": base, "photo": f"{base}/logo"}
        return jsonify({"me": base, "profile": profile})

    return bp


def _refused(reason: str) -> Response:
    return jsonify({"error": "invalid_client", "error_description": reason})

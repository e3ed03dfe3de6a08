"""Chat users' logins (develop §2.1, §2.2), as Owncast answers them:

- `POST /api/auth/fediverse?accessToken=` `{account}` → 200 `{success:true,message:""}`;
  400 `{success:false,message}` for a bad body, too many pending codes or a failed send.
- `POST /api/auth/fediverse/verify?accessToken=` `{code}` → 200, or 400 for a missing, wrong
  or expired code.
- `POST /api/auth/indieauth?accessToken=` `{authHost}` → 200 `{redirect}`, or 400.
- `GET /api/auth/indieauth/callback?code&state` → 307 to `/`, or 400 text/html.

A missing, unknown or disabled chat token (or a banned address) gets 401 `unauthorized` text.
"""

from __future__ import annotations

import logging

from quart import Blueprint, Response, jsonify, request

from owncastd.core.identity.fediverse_otp import OtpError
from owncastd.core.identity.indieauth_client import IndieAuthError
from owncastd.core.identity.linking import Requester
from owncastd.core.identity.services import IdentityServices
from owncastd.http.chat.common import json_object, token_user
from owncastd.http.chat.context import ChatServices
from owncastd.http.json_body import BadRequestError
from owncastd.http.responses import error

log = logging.getLogger(__name__)

WRONG_CODE = "Incorrect or expired code. Please request a new one and try again."
CALLBACK_FAILED = 'Unable to complete authentication. <a href="/">Go back.</a><hr/>'


def simple(ok: bool, message: str = "") -> Response:
    """Owncast's `WriteSimpleResponse`: 200 on success, 400 otherwise."""
    response = jsonify({"success": ok, "message": message})
    response.status_code = 200 if ok else 400
    return response


def denied() -> Response:
    """Owncast's chat-token middleware refusal (Go's `http.Error`)."""
    return Response("unauthorized\n", status=401, content_type="text/plain; charset=utf-8")


async def _string_field(name: str) -> str | Response:
    """`body[name]` as a string, or Owncast's 400 "Could not decode request: …"."""
    try:
        data = await json_object()
    except BadRequestError as exc:
        return simple(False, f"Could not decode request: {exc.message}")
    value = data.get(name)
    if not isinstance(value, str) or not value:
        return simple(False, f"Could not decode request: {name} is required")
    return value


async def _requester(chat: ChatServices) -> Requester | None:
    user = await token_user(chat, check_ban=True)
    if user is None:
        return None
    return Requester(user.id, user.display_name, request.args.get("accessToken", ""))


def create_login_routes(chat: ChatServices, identity: IdentityServices) -> Blueprint:
    """The Fediverse and IndieAuth login routes for chat users."""
    bp = Blueprint("chat_login", __name__)

    @bp.post("/api/auth/fediverse")
    async def fediverse_request() -> Response:
        who = await _requester(chat)
        if who is None:
            return denied()
        account = await _string_field("account")
        if isinstance(account, Response):
            return account
        try:
            await identity.fediverse.request(who, account)
        except OtpError as exc:
            return simple(False, str(exc))
        return simple(True)

    @bp.post("/api/auth/fediverse/verify")
    async def fediverse_verify() -> Response:
        code = await _string_field("code")
        if isinstance(code, Response):
            return code
        token = request.args.get("accessToken", "")
        if not await identity.fediverse.verify(token, code):
            return simple(False, WRONG_CODE)
        return simple(True)

    @bp.post("/api/auth/indieauth")
    async def indieauth_start() -> Response:
        who = await _requester(chat)
        if who is None:
            return denied()
        auth_host = await _string_field("authHost")
        if isinstance(auth_host, Response):
            return auth_host
        try:
            redirect = await identity.indieauth.start(who, auth_host)
        except IndieAuthError as exc:
            return error(400, str(exc))
        return jsonify({"redirect": redirect})

    @bp.get("/api/auth/indieauth/callback")
    async def indieauth_callback() -> Response:
        state, code = request.args.get("state", ""), request.args.get("code", "")
        try:
            await identity.indieauth.finish(state, code)
        except IndieAuthError as exc:
            log.info("indieauth login failed: %s", exc)
            return Response(CALLBACK_FAILED, status=400, content_type="text/html; charset=utf-8")
        return Response("", status=307, headers={"Location": "/"})

    return bp

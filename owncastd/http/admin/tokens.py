"""`/api/admin/accesstokens` (reference §1.6, §3.2): create, list and delete integration tokens.

A token is a bot user (type 'API') with a 44-character token; the create answer is Owncast's
`ExternalAPIUser`. Names are single-line, at most MAX_NAME characters; scopes must be known.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any

from quart import Blueprint, Response, jsonify

from owncastd.core.access_tokens import SCOPES, new_integration, unknown_scopes
from owncastd.core.chat import wire
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.context import WebContext
from owncastd.http.json_body import BadRequestError, json_kind, json_object
from owncastd.http.responses import json_no_cache, success

log = logging.getLogger(__name__)

MAX_NAME = 100
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise BadRequestError(f"name is required and must be a string (got {json_kind(value)})")
    name = value.strip()
    if not name:
        raise BadRequestError("name must not be empty")
    if len(name) > MAX_NAME:
        raise BadRequestError(f"name must be at most {MAX_NAME} characters (got {len(name)})")
    if CONTROL.search(name):
        raise BadRequestError("name must not contain line breaks or control characters")
    return name


def _scopes(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise BadRequestError(f"scopes is required and must be an array (got {json_kind(value)})")
    if not value:
        raise BadRequestError(f"scopes must name at least one of {', '.join(SCOPES)}")
    if not all(isinstance(scope, str) for scope in value):
        raise BadRequestError("scopes must be an array of strings")
    unknown = unknown_scopes(value)
    if unknown:
        raise BadRequestError(
            f"one or more invalid scopes provided: {unknown[0][:40]!r} (use {', '.join(SCOPES)})"
        )
    return value


def create_admin_tokens(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint; every route requires the admin."""
    bp = Blueprint("admin_tokens", __name__, url_prefix="/api/admin/accesstokens")
    rng = random.SystemRandom()

    @bp.route("", methods=["GET", "OPTIONS"])
    @guard.require
    async def tokens() -> Response:
        return json_no_cache([t.to_json() for t in await control.tokens.all()])

    @bp.route("/create", methods=["POST", "OPTIONS"])
    @guard.require
    async def create() -> Response:
        body = await json_object()
        name, scopes = _name(body.get("name")), _scopes(body.get("scopes"))
        integration = new_integration(wire.new_id(), name, scopes, ctx.clock(), rng)
        await control.tokens.create(integration)
        log.info(
            "access token created user=%s scopes=%s", integration.id, ",".join(integration.scopes)
        )
        return jsonify(integration.to_json())

    @bp.route("/delete", methods=["POST", "OPTIONS"])
    @guard.require
    async def delete() -> Response:
        token = (await json_object()).get("token")
        if not isinstance(token, str) or not token:
            raise BadRequestError(
                f"token is required and must be a string (got {json_kind(token)})"
            )
        if len(token) > 256 or not await control.tokens.delete(token, ctx.clock()):
            raise BadRequestError("no access token matches")
        return success("deleted token")

    return bp

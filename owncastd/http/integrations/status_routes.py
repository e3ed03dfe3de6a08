"""Develop-branch integration routes (develop §5.4), Bearer tokens with HAS_ADMIN_ACCESS:

* `GET /api/integrations/status`: the internal status object (the viewer count is not hidden
  here, the times are null when unset);
* `GET /api/integrations/moderation/chat/user/{userId}`: a user's details, 404 with an empty
  body for an unknown user.
"""

from __future__ import annotations

from quart import Blueprint, Response

from owncastd import OWNCAST_API_VERSION
from owncastd.core.access_tokens import HAS_ADMIN_ACCESS, Integration
from owncastd.core.webhooks import current_status_block
from owncastd.http.chat.user_details import unknown_user, user_details
from owncastd.http.context import WebContext
from owncastd.http.integrations.auth import BearerGuard
from owncastd.http.responses import json_no_cache

GET = ["GET", "OPTIONS"]


def integration_status(ctx: WebContext) -> dict[str, object]:
    """`{online, viewerCount, overallMaxViewerCount, sessionMaxViewerCount, lastConnectTime,
    lastDisconnectTime, versionNumber, streamTitle}` plus our `owncastdVersion`."""
    return current_status_block(
        ctx.stream,
        ctx.viewers.count,
        version=OWNCAST_API_VERSION,
        stream_title=ctx.settings.current.server.stream_title,
    ) | {"owncastdVersion": ctx.version}


def create_integration_status(ctx: WebContext, bearer: BearerGuard) -> Blueprint:
    """The blueprint (the moderation route only when chat is wired)."""
    api = Blueprint("integrations_status", __name__, url_prefix="/api/integrations")

    @api.route("/status", methods=GET)
    @bearer.require(HAS_ADMIN_ACCESS)
    async def status(caller: Integration) -> Response:
        return json_no_cache(integration_status(ctx))

    chat = ctx.chat
    if chat is not None:

        @api.route("/moderation/chat/user/<user_id>", methods=GET)
        @bearer.require(HAS_ADMIN_ACCESS)
        async def moderation_user(caller: Integration, user_id: str) -> Response:
            details = await user_details(chat, user_id)
            return unknown_user() if details is None else json_no_cache(details)

    return api

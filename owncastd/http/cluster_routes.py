"""The cluster origin's routes (issue 18, contract §6): what edges ask the origin over HTTP,
guarded by the shared secret in `X-Owncastd-Cluster` (401 otherwise, compared in constant
time), and the admin's `GET /api/admin/cluster`. Without a cluster origin (`[cluster] role` is
"single") `/api/cluster/*` answer 404 and the admin route says `{"role": "single"}`."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from quart import Blueprint, Response, current_app, jsonify, request

from owncastd.core.cluster.ports import ClusterStatus
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.chat.context import ChatServices
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache

log = logging.getLogger(__name__)

HEADER = "X-Owncastd-Cluster"
MAX_TOKEN_CHARS = 256


def _edge_authorized(ctx: WebContext) -> bool:
    secret = ctx.settings.current.cluster.secret.encode()
    given = request.headers.get(HEADER, "").encode("utf-8", "replace")
    return bool(secret) and hmac.compare_digest(given, secret)


def create_cluster_routes(
    ctx: WebContext, chat: ChatServices, cluster: ClusterStatus | None, guard: AdminGuard
) -> Blueprint:
    """The blueprint."""
    routes = Blueprint("cluster", __name__)

    @routes.get("/api/cluster/token")
    async def token() -> Response:
        if cluster is None:
            return error(404, "not a cluster origin")
        if not _edge_authorized(ctx):
            log.info("cluster request refused path=/api/cluster/token")
            return error(401, "cluster secret required")
        access_token = request.args.get("accessToken", "")
        user = None
        if 0 < len(access_token) <= MAX_TOKEN_CHARS:
            user = await chat.store.user_for_token(access_token)
        if user is None:
            return error(404, "unknown access token")
        if user.disabled:  # still 404, but the edge can say ERROR_USER_DISABLED as Owncast does
            body = {"success": False, "message": "user disabled", "userId": user.id}
            refused = jsonify(body | {"disabled": True})
            refused.status_code = 404
            return refused
        return json_no_cache(
            {
                "userId": user.id,
                "displayName": user.display_name,
                "displayColor": user.display_color,
                "isModerator": user.is_moderator,
                "isBot": user.is_bot,
                "authenticated": user.authenticated,
                "disabled": user.disabled,
            }
        )

    @routes.post("/api/cluster/register")
    async def register() -> Response:
        if cluster is None:
            return error(404, "not a cluster origin")
        if not _edge_authorized(ctx):
            log.info("cluster request refused path=/api/cluster/register")
            return error(401, "cluster secret required")
        # Exactly the origin's /api/chat/register (its answer, its checks).
        view: Callable[[], Awaitable[Response]] = current_app.view_functions["chat_api.register"]  # type: ignore[assignment]
        return await view()

    @routes.route("/api/admin/cluster", methods=["GET", "OPTIONS"])
    @guard.require
    async def status() -> Response:
        if cluster is None:
            return json_no_cache({"role": "single", "redis": None, "edges": []})
        return json_no_cache(cluster.status_json())

    return routes

"""The quart-trio application: blueprints plus Owncast-shaped error handling."""

from __future__ import annotations

import logging

from quart import Response, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from owncastd.http.admin.appliance_routes import create_operations_routes
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.backup_routes import create_backup_routes
from owncastd.http.admin.blueprints import register_control_plane
from owncastd.http.admin.chat import register_chat_routes
from owncastd.http.admin.status import create_admin_status
from owncastd.http.admin_web.routes import create_admin_web
from owncastd.http.chatwoot.routes import create_chatwoot_routes
from owncastd.http.context import WebContext
from owncastd.http.favicon import create_favicon_routes
from owncastd.http.federation.routes import register_federation
from owncastd.http.json_body import BadRequestError
from owncastd.http.origin_guard import refuse_forged_requests
from owncastd.http.public.api import create_public_api
from owncastd.http.public.assets import create_media_routes
from owncastd.http.public.cmcd import create_cmcd_routes
from owncastd.http.public.llhls_routes import create_llhls_routes
from owncastd.http.public.pages import create_pages
from owncastd.http.public.push_routes import create_push_routes
from owncastd.http.replays.routes import register_replays
from owncastd.http.responses import error

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8 * 1024 * 1024


def create_app(ctx: WebContext) -> QuartTrio:
    """Build the web app for one daemon."""
    app = QuartTrio("owncastd", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.before_request(refuse_forged_requests)
    guard = AdminGuard(ctx.settings)
    app.register_blueprint(create_public_api(ctx))
    app.register_blueprint(create_admin_status(ctx, guard))
    app.register_blueprint(create_llhls_routes(ctx))  # before /hls/<path> (issue 13)
    app.register_blueprint(create_media_routes(ctx))
    app.register_blueprint(create_operations_routes(ctx, guard))
    app.register_blueprint(create_backup_routes(ctx, guard))
    if ctx.chat is not None:
        register_chat_routes(app, ctx, ctx.chat, guard)
        if ctx.chatwoot is not None:
            app.register_blueprint(create_chatwoot_routes(ctx.chat, ctx.chatwoot, guard))
    app.register_blueprint(create_pages(ctx))
    app.register_blueprint(create_admin_web(guard))
    app.register_blueprint(create_favicon_routes(ctx, guard))
    if ctx.control is not None:
        register_control_plane(app, ctx, guard, ctx.control)
        app.register_blueprint(create_cmcd_routes(ctx, ctx.control))
        if ctx.chat is not None and ctx.control.push is not None:
            app.register_blueprint(create_push_routes(ctx, ctx.chat, ctx.control.push))
    if ctx.replays is not None:
        register_replays(app, ctx, guard, ctx.replays)
    if ctx.federation is not None:
        register_federation(app, ctx, ctx.federation, guard)

    @app.errorhandler(BadRequestError)
    async def bad_request(exc: BadRequestError) -> Response:
        return error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    async def http_error(exc: HTTPException) -> Response:
        response = error(exc.code or 500, exc.description or exc.name)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # e.g. Allow on a 405
        return response

    @app.errorhandler(Exception)
    async def unexpected(exc: Exception) -> Response:
        log.exception("request failed method=%s path=%s", request.method, request.path)
        return error(500, "internal server error")

    return app

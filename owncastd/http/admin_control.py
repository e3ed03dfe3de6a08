"""Registers the admin control plane's blueprints (config, metrics, server, users, access
tokens, webhooks) and, when chat is wired, the bearer-token integrations API."""

from __future__ import annotations

from quart_trio import QuartTrio

from owncastd.http.admin_auth import AdminGuard
from owncastd.http.admin_config import create_admin_config
from owncastd.http.admin_metrics import create_admin_metrics
from owncastd.http.admin_server import create_admin_server
from owncastd.http.admin_tokens import create_admin_tokens
from owncastd.http.admin_users import create_admin_users
from owncastd.http.admin_webhooks import create_admin_webhooks
from owncastd.http.bearer_auth import BearerGuard
from owncastd.http.context import WebContext
from owncastd.http.control import ControlPlane
from owncastd.http.integrations import create_integrations


def register_control_plane(
    app: QuartTrio, ctx: WebContext, guard: AdminGuard, control: ControlPlane
) -> None:
    """Add the control plane's routes to `app`."""
    app.register_blueprint(create_admin_config(ctx, guard, control))
    app.register_blueprint(create_admin_metrics(ctx, guard, control))
    app.register_blueprint(create_admin_server(ctx, guard, control))
    app.register_blueprint(create_admin_users(ctx, guard, control))
    app.register_blueprint(create_admin_tokens(ctx, guard, control))
    app.register_blueprint(create_admin_webhooks(guard, control))
    if ctx.chat is not None:
        bearer = BearerGuard(control.tokens, ctx.clock)
        app.register_blueprint(create_integrations(ctx.chat, control, bearer))

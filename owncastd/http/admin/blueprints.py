"""Registers the admin control plane's blueprints (config, metrics, server, users, access
tokens, webhooks) and, when chat is wired, the bearer-token integrations API."""

from __future__ import annotations

from quart_trio import QuartTrio

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.chatwoot_routes import create_admin_chatwoot
from owncastd.http.admin.config_routes import create_admin_config
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.admin.metrics import create_admin_metrics
from owncastd.http.admin.notifications_test import create_notifications_test
from owncastd.http.admin.server_actions import create_admin_server
from owncastd.http.admin.tokens import create_admin_tokens
from owncastd.http.admin.users import create_admin_users
from owncastd.http.admin.webhooks import create_admin_webhooks
from owncastd.http.context import WebContext
from owncastd.http.integrations.auth import BearerGuard
from owncastd.http.integrations.routes import create_integrations
from owncastd.http.integrations.status_routes import create_integration_status
from owncastd.http.schedule.routes import register_schedule


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
    app.register_blueprint(create_admin_chatwoot(guard, control.chatwoot))
    app.register_blueprint(create_notifications_test(guard, control))
    register_schedule(app, ctx, guard, control.schedule)
    bearer = BearerGuard(control.tokens, ctx.clock)
    app.register_blueprint(create_integration_status(ctx, bearer))
    if ctx.chat is not None:
        app.register_blueprint(create_integrations(ctx.chat, control, bearer))

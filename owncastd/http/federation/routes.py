"""Registering every federation route on the app (one call from `http/app.py`)."""

from __future__ import annotations

from quart_trio import QuartTrio

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.federation.actor_routes import create_actor_routes
from owncastd.http.federation.admin_routes import create_follower_routes
from owncastd.http.federation.common import FederationWeb
from owncastd.http.federation.discovery import create_discovery_routes
from owncastd.http.federation.send_route import create_send_route


def register_federation(
    app: QuartTrio, ctx: WebContext, fed: FederationWeb, guard: AdminGuard
) -> None:
    """Discovery, the actor and inbox, and the follower routes."""
    app.register_blueprint(create_discovery_routes(ctx, fed))
    app.register_blueprint(create_actor_routes(ctx, fed))
    app.register_blueprint(create_follower_routes(fed, guard))
    app.register_blueprint(create_send_route(ctx, fed, guard))

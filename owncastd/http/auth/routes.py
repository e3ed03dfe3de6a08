"""Registering the chat identity routes on the app."""

from __future__ import annotations

from quart_trio import QuartTrio

from owncastd.core.identity.services import IdentityServices
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.auth.login_routes import create_login_routes
from owncastd.http.auth.provider_routes import create_provider_routes
from owncastd.http.chat.context import ChatServices
from owncastd.http.context import WebContext


def register_auth_routes(
    app: QuartTrio,
    ctx: WebContext,
    chat: ChatServices,
    identity: IdentityServices,
    guard: AdminGuard,
) -> None:
    """The chat users' login routes and the admin's IndieAuth provider."""
    app.register_blueprint(create_login_routes(chat, identity))
    app.register_blueprint(create_provider_routes(ctx, identity.provider, guard))

"""The Chatwoot bridge's blueprint."""

from __future__ import annotations

from quart import Blueprint

from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.chat.context import ChatServices
from owncastd.http.chatwoot.admin import add_admin_routes
from owncastd.http.chatwoot.viewer import add_viewer_routes
from owncastd.http.chatwoot.webhook import add_webhook_route


def create_chatwoot_routes(
    chat: ChatServices, bridge: ChatwootBridge, guard: AdminGuard
) -> Blueprint:
    """Webhook endpoint, viewer thread and admin routes (404 while disabled)."""
    api = Blueprint("chatwoot", __name__)
    add_admin_routes(api, chat, bridge, guard)
    add_webhook_route(api, bridge)
    add_viewer_routes(api, chat, bridge)
    return api

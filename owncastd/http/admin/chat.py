"""Admin chat routes (reference §1.6), behind the shared admin guard."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_trio import QuartTrio

from owncastd.core.chat.models import rfc3339
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.chat.common import field, json_object
from owncastd.http.chat.context import ChatServices
from owncastd.http.chat.emoji import create_emoji_routes
from owncastd.http.chat.routes import create_chat_api, set_enabled, set_visibility
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache, success

GET = ["GET", "OPTIONS"]
POST = ["POST", "OPTIONS"]


def create_chat_admin(chat: ChatServices, guard: AdminGuard) -> Blueprint:
    """The blueprint; every route requires the admin."""
    admin = Blueprint("chat_admin", __name__, url_prefix="/api/admin/chat")
    room = chat.room

    @admin.route("/clients", methods=GET)
    @guard.require
    async def clients() -> Response:
        return json_no_cache([c.to_json() for c in room.clients()])

    @admin.route("/messages", methods=GET)
    @guard.require
    async def messages() -> Response:
        return json_no_cache([m.to_json() for m in await chat.store.all_messages()])

    @admin.route("/messagevisibility", methods=POST)
    @guard.require
    async def visibility() -> Response:
        return await set_visibility(chat)

    @admin.route("/users/setenabled", methods=POST)
    @guard.require
    async def enabled() -> Response:
        return await set_enabled(chat)

    @admin.route("/users/disabled", methods=GET)
    @guard.require
    async def disabled() -> Response:
        return json_no_cache([u.to_json() for u in await chat.store.disabled_users()])

    _add_moderator_and_ban_routes(admin, chat, guard)
    return admin


def _add_moderator_and_ban_routes(admin: Blueprint, chat: ChatServices, guard: AdminGuard) -> None:
    """Moderators and IP bans."""
    room = chat.room

    @admin.route("/users/setmoderator", methods=POST)
    @guard.require
    async def set_moderator() -> Response:
        data = await json_object()
        user_id = field(data, "userId", str)
        is_moderator = field(data, "isModerator", bool)
        user = await room.moderation.set_moderator(user_id, is_moderator)
        if user is None:
            return error(404, f"user {user_id} not found")
        return success(f"{user_id} moderator: {str(is_moderator).lower()}")

    @admin.route("/users/moderators", methods=GET)
    @guard.require
    async def moderators() -> Response:
        return json_no_cache([u.to_json() for u in await chat.store.moderators()])

    @admin.route("/users/ipbans", methods=GET)
    @guard.require
    async def ip_bans() -> Response:
        return json_no_cache(
            [
                {"ipAddress": b.ip_address, "notes": b.notes, "createdAt": rfc3339(b.created_at)}
                for b in room.bans.all()
            ]
        )

    @admin.route("/users/ipbans/create", methods=POST)
    @guard.require
    async def ban() -> Response:
        value = field(await json_object(), "value", str)
        created = await room.moderation.ban_ip(value)
        if created is None:
            return error(400, f"{value!r} is not an IP address")
        return success(f"{created.ip_address} has been banned")

    @admin.route("/users/ipbans/remove", methods=POST)
    @guard.require
    async def unban() -> Response:
        value = field(await json_object(), "value", str)
        await room.moderation.unban_ip(value)
        return success(f"{value} has been unbanned")


def register_chat_routes(
    app: QuartTrio, ctx: WebContext, chat: ChatServices, guard: AdminGuard
) -> None:
    """Add every chat blueprint (public, moderator, admin, emoji) to the app."""
    app.register_blueprint(create_chat_api(ctx, chat))
    app.register_blueprint(create_chat_admin(chat, guard))
    app.register_blueprint(create_emoji_routes(chat, guard))

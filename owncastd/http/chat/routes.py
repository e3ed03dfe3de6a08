"""Public and moderator chat routes (reference §1.4): registration, history, moderation with a
chat token. The admin routes are in `chat_admin.py`, emoji in `emoji.py`."""

from __future__ import annotations

import base64
import logging
import random
import secrets

from quart import Blueprint, Response, jsonify, request

from owncastd.core.chat import wire
from owncastd.core.chat.models import ChatUser
from owncastd.core.chat.names import (
    forbidden_word,
    generated_name,
    random_color,
    registration_name,
    with_taken_suffix,
)
from owncastd.http.chat.common import field, json_object, token_user
from owncastd.http.chat.context import ChatServices
from owncastd.http.chat.user_details import unknown_user, user_details
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache, success

log = logging.getLogger(__name__)

NAME_ATTEMPTS = 8


def new_access_token() -> str:
    """32 random bytes, URL-safe base64 with padding: 44 characters, as Owncast."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


async def set_visibility(chat: ChatServices) -> Response:
    """`{idArray, visible}` → hide or show messages (admin, moderators, integrations)."""
    data = await json_object()
    ids = field(data, "idArray", list)
    visible = field(data, "visible", bool)
    if not all(isinstance(i, str) for i in ids):
        return error(400, "idArray must be a list of message ids")
    await chat.room.moderation.set_visibility(ids, visible)
    return success("changed")


async def set_enabled(chat: ChatServices) -> Response:
    """`{userId, enabled}` → disable (ban) or re-enable a user."""
    data = await json_object()
    user_id = field(data, "userId", str)
    enabled = field(data, "enabled", bool)
    user = await chat.room.moderation.set_user_enabled(user_id, enabled)
    if user is None:
        return error(404, f"user {user_id} not found")
    return success(f"{user_id} enabled: {str(enabled).lower()}")


async def moderator(chat: ChatServices) -> ChatUser | None:
    """The moderator whose chat token the request carries, if any."""
    user = await token_user(chat, check_ban=False)
    return user if user is not None and user.is_moderator else None


def create_chat_api(ctx: WebContext, chat: ChatServices) -> Blueprint:
    """The blueprint; handlers close over `ctx` and `chat`."""
    api = Blueprint("chat_api", __name__)
    rng = random.SystemRandom()

    @api.route("/api/chat/register", methods=["POST", "OPTIONS"])
    async def register() -> Response:
        if request.method == "OPTIONS":
            response = Response("", status=204)
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            return response
        data = await json_object()
        body_name = data.get("displayName")
        chat_settings = ctx.settings.current.chat
        name = registration_name(
            request.headers.get("X-Forwarded-User"),
            body_name if isinstance(body_name, str) else None,
            chat_settings.suggested_usernames,
            rng,
        )
        if forbidden_word(name, chat_settings.forbidden_usernames) is not None:
            name = generated_name(rng)
        for _ in range(NAME_ATTEMPTS):
            if not await chat.store.name_taken(name):
                break
            name = with_taken_suffix(name, rng)
        now = ctx.clock()
        user = ChatUser(
            id=wire.new_id(),
            display_name=name,
            display_color=random_color(rng),
            created_at=now,
            previous_names=(name,),
        )
        token = new_access_token()
        await chat.store.create_user(user, token)
        log.info("chat user registered user=%s", user.id)
        return jsonify({"id": user.id, "accessToken": token, "displayName": user.display_name})

    _add_history_and_moderator_routes(api, chat)
    return api


def _add_history_and_moderator_routes(api: Blueprint, chat: ChatServices) -> None:
    """History (any chat user) and the moderator routes (a moderator's chat token)."""

    @api.get("/api/chat")
    async def history() -> Response:
        if await token_user(chat, check_ban=True) is None:
            return error(401, "invalid access token")
        messages = await chat.store.history()
        return json_no_cache([m.to_json() for m in messages])

    @api.post("/api/chat/messagevisibility")
    async def moderator_visibility() -> Response:
        if await moderator(chat) is None:
            return error(401, "invalid access token or not a moderator")
        return await set_visibility(chat)

    @api.post("/api/chat/users/setenabled")
    async def moderator_set_enabled() -> Response:
        if await moderator(chat) is None:
            return error(401, "invalid access token or not a moderator")
        return await set_enabled(chat)

    @api.get("/api/moderation/chat/user/<user_id>")
    async def moderation_user(user_id: str) -> Response:
        if await moderator(chat) is None:
            return error(401, "invalid access token or not a moderator")
        details = await user_details(chat, user_id)
        return unknown_user() if details is None else json_no_cache(details)

"""`/api/integrations/…` (reference §1.7): what bots may do with a scoped access token.

| scope | routes |
| --- | --- |
| CAN_SEND_SYSTEM_MESSAGES | chat/system, chat/system/client/{clientId}, chat/action |
| CAN_SEND_MESSAGES | chat/send (as the integration's bot user), chat/user (gone: 400) |
| HAS_ADMIN_ACCESS | chat/messagevisibility, GET chat, GET clients, streamtitle |
"""

from __future__ import annotations

import logging
from typing import Any

from quart import Blueprint, Response

from owncastd.core.access_tokens import (
    CAN_SEND_MESSAGES,
    CAN_SEND_SYSTEM_MESSAGES,
    HAS_ADMIN_ACCESS,
    Integration,
)
from owncastd.http.admin.config_routes import apply_setter
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.admin.setters import SETTERS, SetterEnv
from owncastd.http.chat.context import ChatServices
from owncastd.http.chat.routes import set_visibility
from owncastd.http.integrations.auth import BearerGuard
from owncastd.http.json_body import BadRequestError, json_kind, json_object
from owncastd.http.responses import error, json_no_cache, success

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 10_000
MAX_MESSAGE_BYTES = 64 * 1024
GONE = "no longer supported. see /api/integrations/chat/send"
GET = ["GET", "OPTIONS"]
POST = ["POST", "OPTIONS"]
STREAM_TITLE = next(setter for setter in SETTERS if setter.name == "streamtitle")


async def message_body() -> str:
    """`{"body": "…"}` with a non-blank body of at most MAX_MESSAGE_CHARS characters."""
    data = await json_object(MAX_MESSAGE_BYTES)
    body: Any = data.get("body")
    if not isinstance(body, str):
        raise BadRequestError(f"body must be a string (got {json_kind(body)})")
    if not body.strip():
        raise BadRequestError("body must not be empty")
    if len(body) > MAX_MESSAGE_CHARS:
        raise BadRequestError(f"body must be at most {MAX_MESSAGE_CHARS} characters")
    return body


def create_integrations(
    chat: ChatServices, control: ControlPlane, bearer: BearerGuard
) -> Blueprint:
    """The blueprint; every route checks its scope first."""
    api = Blueprint("integrations", __name__, url_prefix="/api/integrations")
    room = chat.room

    @api.route("/chat/system", methods=POST)
    @bearer.require(CAN_SEND_SYSTEM_MESSAGES)
    async def system(caller: Integration) -> Response:
        await room.send_system_message(await message_body())
        log.info("integration system message user=%s", caller.id)
        return success("sent")

    @api.route("/chat/system/client/<client_id>", methods=POST)
    @bearer.require(CAN_SEND_SYSTEM_MESSAGES)
    async def system_to_client(caller: Integration, client_id: str) -> Response:
        if not client_id.isascii() or not client_id.isdigit() or len(client_id) > 18:
            raise BadRequestError(f"clientId must be a chat client number (got {client_id[:30]!r})")
        body = await message_body()
        if not room.send_system_message_to_client(int(client_id), body):
            raise BadRequestError(f"no chat client {int(client_id)} is connected")
        return success("sent")

    @api.route("/chat/action", methods=POST)
    @bearer.require(CAN_SEND_SYSTEM_MESSAGES)
    async def action(caller: Integration) -> Response:
        await room.send_action(await message_body())
        return success("sent")

    @api.route("/chat/send", methods=POST)
    @bearer.require(CAN_SEND_MESSAGES)
    async def send(caller: Integration) -> Response:
        sent = await room.send_bot_message(caller.bot_user(), await message_body())
        if sent is None:
            raise BadRequestError("body is empty once rendered")
        return success("sent")

    @api.route("/chat/user", methods=POST)
    @bearer.require(CAN_SEND_MESSAGES)
    async def send_as_user(caller: Integration) -> Response:
        return error(400, GONE)

    _add_admin_access_routes(api, chat, control, bearer)
    return api


def _add_admin_access_routes(
    api: Blueprint, chat: ChatServices, control: ControlPlane, bearer: BearerGuard
) -> None:
    """The routes that need HAS_ADMIN_ACCESS."""
    room = chat.room

    @api.route("/chat/messagevisibility", methods=POST)
    @bearer.require(HAS_ADMIN_ACCESS)
    async def visibility(caller: Integration) -> Response:
        return await set_visibility(chat)

    @api.route("/chat", methods=GET)
    @bearer.require(HAS_ADMIN_ACCESS)
    async def history(caller: Integration) -> Response:
        return json_no_cache([m.to_json() for m in await chat.store.history()])

    @api.route("/clients", methods=GET)
    @bearer.require(HAS_ADMIN_ACCESS)
    async def clients(caller: Integration) -> Response:
        return json_no_cache([c.to_json() for c in room.clients()])

    @api.route("/streamtitle", methods=POST)
    @bearer.require(HAS_ADMIN_ACCESS)
    async def stream_title(caller: Integration) -> Response:
        failed = await apply_setter(STREAM_TITLE, SetterEnv(), control.editor)
        if failed is not None:
            return failed
        log.info("integration changed the stream title user=%s", caller.id)
        return success("changed")

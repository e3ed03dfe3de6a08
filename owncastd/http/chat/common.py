"""Helpers shared by the chat routes: JSON bodies and token users."""

from __future__ import annotations

from typing import Any

from quart import request

from owncastd.core.chat.models import ChatUser
from owncastd.http.chat.context import ChatServices
from owncastd.http.client_address import request_ip
from owncastd.http.json_body import BadRequestError, parse_json, require_json_type

MAX_BODY_BYTES = 64 * 1024


async def json_object(max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request body as a JSON object (`{}` when empty); BadRequestError (400) otherwise,
    or 415 when a body is sent without a JSON Content-Type."""
    raw = await request.get_data(cache=False)
    assert isinstance(raw, bytes)
    if len(raw) > max_bytes:
        raise BadRequestError("request body too large")
    if not raw.strip():
        return {}
    data = parse_json(raw)  # strict, and too-deep nesting is an error rather than a crash
    require_json_type()
    if not isinstance(data, dict):
        raise BadRequestError("a JSON object was expected")
    return data


def field(data: dict[str, Any], name: str, kind: type) -> Any:
    """`data[name]` if it is a `kind`; BadRequestError (400) otherwise."""
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadRequestError(f"{name} is required and must be a {_KIND_NAMES.get(kind, 'value')}")
    return value


_KIND_NAMES = {str: "string", bool: "boolean", list: "list", int: "number"}


async def token_user(chat: ChatServices, *, check_ban: bool) -> ChatUser | None:
    """The enabled user behind `?accessToken=` (and not from a banned IP when `check_ban`)."""
    token = request.args.get("accessToken", "")
    if not token:
        return None
    if check_ban and chat.room.bans.is_banned(request_ip(chat.room.settings)):
        return None
    user = await chat.store.user_for_token(token)
    if user is None or user.disabled:
        return None
    return user

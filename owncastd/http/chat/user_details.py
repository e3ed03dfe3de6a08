"""One chat user's details for moderation (develop §5.4): the admin-access integration route
`/api/integrations/moderation/chat/user/{userId}` and the moderator twin
`/api/moderation/chat/user/{userId}` answer the same document."""

from __future__ import annotations

from typing import Any

from quart import Response

from owncastd.core.chat.clients import ChatClient
from owncastd.http.chat.context import ChatServices


def client_json(client: ChatClient) -> dict[str, Any]:
    """`{connectedAt, userAgent, geo?, id, messageCount}`: Owncast omits `geo` when unknown,
    and we never look it up."""
    data = {k: v for k, v in client.to_json().items() if k != "user"}
    if data.get("geo") is None:
        data.pop("geo", None)
    return data


async def user_details(chat: ChatServices, user_id: str) -> dict[str, Any] | None:
    """`{user, connectedClients, messages}` for `user_id`, or None for an unknown user."""
    user = chat.room.current_user(user_id) or await chat.store.user(user_id)
    if user is None:
        return None
    messages = await chat.store.messages_of(user_id)
    return {
        "user": user.to_json(),
        "connectedClients": [client_json(c) for c in chat.room.clients_of(user_id)],
        "messages": [m.to_json() for m in messages],
    }


def unknown_user() -> Response:
    """Owncast's answer for an unknown user: 404 with an empty body."""
    return Response("", status=404)

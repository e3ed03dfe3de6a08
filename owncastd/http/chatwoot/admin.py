"""Admin routes of the Chatwoot bridge (behind the admin's Basic auth, like `/api/admin/…`):

- `POST /api/admin/chatwoot/escalate` `{messageId | userId, note}` → 202 `{success, message,
  id}`: the message (or the user) goes to the team as a new labelled conversation (queued
  through the outbox). 400 without either id, 404 for an unknown one or a disabled bridge.
- `POST /api/moderation/chatwoot/escalate?accessToken=` (a moderator's chat token; the chat
  page's "Team" button): the same, from a moderator.

The outbox's figures (queued, last error) are in `GET /api/admin/chatwoot/status`.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.chat.common import json_object
from owncastd.http.chat.context import ChatServices
from owncastd.http.chat.routes import moderator
from owncastd.http.responses import error


async def _escalate(bridge: ChatwootBridge, who: str) -> Response:
    """`{messageId | userId, note}` → 202 once the escalation is queued."""
    escalations = bridge.escalations
    if not bridge.enabled or escalations is None:
        return error(404, "the team inbox is not enabled")
    data = await json_object()
    message_id, user_id, note = (data.get(k) for k in ("messageId", "userId", "note"))
    if not all(isinstance(v, str | None) for v in (message_id, user_id, note)):
        return error(400, "messageId, userId and note must be strings")
    if not (message_id or user_id):
        return error(400, "messageId or userId is required")
    try:
        row_id = await escalations.escalate(
            message_id=message_id or "",
            user_id=user_id or "",
            note=(note or "")[:2000],
            moderator=who,
        )
    except LookupError as exc:
        return error(404, str(exc))
    response = jsonify({"success": True, "message": "escalated to the team", "id": row_id})
    response.status_code = 202
    return response


def add_admin_routes(
    api: Blueprint, chat: ChatServices, bridge: ChatwootBridge, guard: AdminGuard
) -> None:
    """Register the admin routes on `api`."""

    @api.post("/api/admin/chatwoot/escalate")
    @guard.require
    async def escalate() -> Response:
        return await _escalate(bridge, "the admin")

    @api.post("/api/moderation/chatwoot/escalate")
    async def moderator_escalate() -> Response:
        user = await moderator(chat)
        if user is None:
            return error(401, "invalid access token or not a moderator")
        return await _escalate(bridge, f"moderator {user.display_name}")

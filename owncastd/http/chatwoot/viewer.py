"""A viewer's private thread with the team, with their chat access token (`?accessToken=`).

- `GET /api/chatwoot/thread` → `{"messages": [...]}`, the thread oldest first (also on another
  device of the same user). 204 (nothing) while the bridge is disabled: the page shows no
  button then (a 204 rather than a 404, which browsers log as a console error on every page).
- `POST /api/chatwoot/messages` `{"body": "…"}` → 202 with the queued message, once it is
  stored (write-ahead: it reaches the team even if Chatwoot is down or the daemon dies).
  401 without a valid token, 429 over the per-viewer or global rate, 400 for an empty or too
  long body.

A POST route rather than a new websocket event: the viewer gets a status for every message
(stored, refused and why), the Owncast websocket protocol stays untouched, and an embed without
a socket can still write. Agent replies arrive over the chat websocket(s) as
`CHATWOOT_MESSAGE` events (see `core/chatwoot/bridge.py`), never broadcast.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from owncastd.core.chatwoot.bridge import ChatwootBridge, Refused
from owncastd.http.chat.common import field, json_object, token_user
from owncastd.http.chat.context import ChatServices
from owncastd.http.responses import error, json_no_cache

MAX_BODY_BYTES = 16 * 1024


def add_viewer_routes(api: Blueprint, chat: ChatServices, bridge: ChatwootBridge) -> None:
    """Register the thread routes on `api`."""

    @api.get("/api/chatwoot/thread")
    async def thread() -> Response:
        if not bridge.enabled:
            return Response("", status=204)
        user = await token_user(chat, check_ban=True)
        if user is None:
            return error(401, "invalid access token")
        entries = await bridge.thread(user.id)
        return json_no_cache({"messages": [e.to_json() for e in entries]})

    @api.post("/api/chatwoot/messages")
    async def send() -> Response:
        if not bridge.enabled:
            return error(404, "not found")
        user = await token_user(chat, check_ban=True)
        if user is None:
            return error(401, "invalid access token")
        body = field(await json_object(MAX_BODY_BYTES), "body", str)
        try:
            entry = await bridge.submit(user.id, user.display_name, body)
        except Refused as exc:
            return error(exc.status, exc.reason)
        response = jsonify(entry.to_json())
        response.status_code = 202
        return response

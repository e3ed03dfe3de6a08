"""`POST /api/chatwoot/webhook/{secret}`: Chatwoot's agent-bot events.

This Chatwoot API does not sign its webhooks, so the secret is in the URL: compared in constant
time, and a wrong one (or a disabled bridge) is a plain 404 that reveals nothing. The body is
capped (413), must be a JSON object (400); unknown events are answered 200 and ignored, as are
replays (same Chatwoot message id), notes, incoming messages and our own bot's messages.
"""

from __future__ import annotations

import json
import logging

from quart import Blueprint, Response, jsonify, request

from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.core.chatwoot.webhook import BadPayload, parse_event, secret_matches
from owncastd.http.responses import error

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 256 * 1024
__all__ = ["MAX_WEBHOOK_BYTES", "add_webhook_route", "secret_matches"]


async def _capped_body(limit: int) -> bytes | None:
    """The request body, or None once it is longer than `limit` (never read past it)."""
    length = request.content_length
    if length is not None and length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.body:
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def add_webhook_route(api: Blueprint, bridge: ChatwootBridge) -> None:
    """Register the webhook endpoint on `api`."""

    @api.post("/api/chatwoot/webhook/<secret>")
    async def webhook(secret: str) -> Response:
        settings = bridge.settings()
        if not settings.enabled or not secret_matches(secret, settings.webhook_secret):
            return error(404, "not found")
        raw = await _capped_body(MAX_WEBHOOK_BYTES)
        if raw is None:
            return error(413, "request body too large")
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            return error(400, "malformed JSON")
        if not isinstance(payload, dict):
            return error(400, "a JSON object was expected")
        try:
            event = parse_event(payload)
        except BadPayload as exc:
            return error(400, str(exc))
        outcome = "ignored" if event is None else await bridge.on_event(event)
        log.debug("chatwoot webhook event=%.40r outcome=%s", payload.get("event"), outcome)
        return jsonify({"success": True, "message": outcome})

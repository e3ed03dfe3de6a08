"""The lean path's two POST routes, both of the Chatwoot bridge (issue 15's burst: each viewer's
private message, and Chatwoot's webhook for it, would otherwise cost the general app's request
cycle on the thread that fans out public chat):

- `POST /api/chatwoot/messages?accessToken=…` with `{"body": "…"}`: 202 and the queued message,
  or the bridge's refusal (400/429) as `{"success": false, "message": …}`.
- `POST /api/chatwoot/webhook/{secret}`: `{"success": true, "message": <outcome>}`.

Only the plain case is answered here: a `Content-Length` body within the route's cap (no
chunked body, no `Expect`), a valid token of an enabled, unbanned user, a JSON object with a
string `body` (sent as JSON), the right secret and a payload Chatwoot's events parse from.
Anything else (every error the general app words itself: 401, 404, 413, 415, malformed JSON…)
is handed to the general app, which sees the same request bytes and answers as before; nothing
has changed by then. Answers are the same status and JSON as the app's `jsonify`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from owncastd.core.chatwoot.bridge import ChatwootBridge, Refused
from owncastd.core.chatwoot.webhook import BadPayload, parse_event, secret_matches
from owncastd.core.json_text import lone_surrogate_path
from owncastd.core.viewers import client_ip
from owncastd.http.context import WebContext
from owncastd.http.transport.fast_http import Request, header_block

MESSAGES_PATH = "/api/chatwoot/messages"
WEBHOOK_PREFIX = "/api/chatwoot/webhook/"
MAX_MESSAGE_BYTES = 16 * 1024  # as http/chatwoot/viewer.py
MAX_WEBHOOK_BYTES = 256 * 1024  # as http/chatwoot/webhook.py
_SECRET = re.compile(r"^[A-Za-z0-9_-]+$")
JSON_HEADERS = header_block([("content-type", "application/json")])

Answer = tuple[int, bytes, bytes]  # status, header block, body


def _json(payload: object) -> bytes:
    """JSON as the general app's `jsonify` writes it (compact, ASCII, a final newline)."""
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _strict_json(raw: bytes) -> Any:
    """The JSON value as the app's strict parser reads it; None for anything it refuses."""
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return None if lone_surrogate_path(value) is not None else value


def _is_json_type(request: Request) -> bool:
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class FastPosts:
    """Answers the bridge's POSTs in their plain case (`wants`, then `answer`)."""

    def __init__(self, ctx: WebContext) -> None:
        self._ctx = ctx

    def wants(self, request: Request) -> int | None:
        """The body length to read for a request this serves, else None."""
        ctx = self._ctx
        if request.method != "POST" or ctx.chatwoot is None or ctx.chat is None:
            return None
        headers = request.headers
        if "transfer-encoding" in headers or "expect" in headers:
            return None
        length = headers.get("content-length", "")
        if not length.isdigit() or int(length) == 0:
            return None
        path = request.path
        if path == MESSAGES_PATH:
            cap = MAX_MESSAGE_BYTES if _is_json_type(request) else 0
        elif path.startswith(WEBHOOK_PREFIX) and _SECRET.match(path[len(WEBHOOK_PREFIX) :]):
            cap = MAX_WEBHOOK_BYTES
        else:
            return None
        return int(length) if int(length) <= cap else None

    async def answer(self, request: Request, body: bytes, peer: str) -> Answer | None:
        """The answer, or None: the general app answers this request."""
        bridge = self._ctx.chatwoot
        assert bridge is not None
        if request.path == MESSAGES_PATH:
            return await self._message(bridge, request, body, peer)
        return await self._webhook(bridge, request.path[len(WEBHOOK_PREFIX) :], body)

    async def _message(
        self, bridge: ChatwootBridge, request: Request, raw: bytes, peer: str
    ) -> Answer | None:
        chat = self._ctx.chat
        assert chat is not None
        if not bridge.enabled:
            return None
        tokens = parse_qs(request.target.partition("?")[2]).get("accessToken")
        if not tokens or not tokens[0]:
            return None
        trusted = chat.room.settings.current.web.trusted_proxies
        ip = client_ip(peer, request.headers.get("x-forwarded-for"), trusted)
        if chat.room.bans.is_banned(ip):
            return None
        data = _strict_json(raw)
        if not isinstance(data, dict) or not isinstance(data.get("body"), str):
            return None
        user = await chat.store.user_for_token(tokens[0])
        if user is None or user.disabled:
            return None
        try:
            entry = await bridge.submit(user.id, user.display_name, data["body"])
        except Refused as exc:
            return (exc.status, JSON_HEADERS, _json({"success": False, "message": exc.reason}))
        return (202, JSON_HEADERS, _json(entry.to_json()))

    async def _webhook(self, bridge: ChatwootBridge, secret: str, raw: bytes) -> Answer | None:
        settings = bridge.settings()
        if not settings.enabled or not secret_matches(secret, settings.webhook_secret):
            return None
        # Read as the app's webhook route does: not strict (the surrogate walk of Chatwoot's
        # large payloads cost ~0.5 ms each).
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not isinstance(payload, dict):
            return None
        try:
            event = parse_event(payload)
        except BadPayload:
            return None
        outcome = "ignored" if event is None else await bridge.on_event(event)
        return (200, JSON_HEADERS, _json({"success": True, "message": outcome}))

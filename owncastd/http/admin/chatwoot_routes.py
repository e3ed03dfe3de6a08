"""`/api/admin/chatwoot/…` (ours, issue 15): set the Chatwoot bridge up, and its status.

`POST /api/admin/chatwoot/setup {url, accountId, token, inboxName?, serverUrl?}` checks the token
against Chatwoot, creates or reuses the API inbox and the agent bot (webhook
`{serverUrl}/api/chatwoot/webhook/{secret}`), attaches it, writes `[chatwoot]` and answers
`{inboxId, inboxCreated, agentBotId, agentBotCreated, webhookUrl}` (the secret elided). A
refused token or bad input: 400, Chatwoot unreachable: 502, both `{"success": false,
"message"}` with nothing written. `GET /api/admin/chatwoot/status` answers `{configured,
enabled, url, accountId, inboxId, agentBotId, reachable, reachError, bridgeRunning, queued,
lastError}`; no token or secret ever appears in an answer.
"""

from __future__ import annotations

from typing import Any, Protocol

from quart import Blueprint, Response, jsonify

from owncastd.config.editor import ConfigRejectedError, ConfigWriteError
from owncastd.errors import ChatwootSetupError
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.json_body import BadRequestError, as_int, json_kind, json_object
from owncastd.http.responses import error, json_no_cache

MAX_TEXT = 2048


class ChatwootAdminPort(Protocol):
    """The service behind these routes (`owncastd/chatwoot/admin.py`)."""

    async def setup(
        self, url: str, account_id: int, token: str, inbox_name: str, server_url: str
    ) -> dict[str, Any]: ...

    async def status(self) -> dict[str, Any]: ...


def _text(body: dict[str, Any], key: str, *, required: bool) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadRequestError(f"{key} is required and must be a string (got {json_kind(value)})")
    if len(value) > MAX_TEXT:
        raise BadRequestError(f"{key} must be at most {MAX_TEXT} characters")
    return value


def create_admin_chatwoot(guard: AdminGuard, service: ChatwootAdminPort | None) -> Blueprint:
    """The blueprint; every route requires the admin."""
    bp = Blueprint("admin_chatwoot", __name__, url_prefix="/api/admin/chatwoot")

    @bp.route("/setup", methods=["POST", "OPTIONS"])
    @guard.require
    async def setup() -> Response:
        if service is None:
            return error(503, "the Chatwoot bridge is not available in this server")
        body = await json_object()
        url = _text(body, "url", required=True)
        account_id = as_int(body.get("accountId"), "accountId")
        token = _text(body, "token", required=True)
        inbox_name = _text(body, "inboxName", required=False) or "owncast"
        server_url = _text(body, "serverUrl", required=False)
        try:
            return jsonify(await service.setup(url, account_id, token, inbox_name, server_url))
        except ChatwootSetupError as exc:
            return error(exc.status, str(exc))
        except ConfigRejectedError as exc:
            return error(400, "; ".join(exc.problems))
        except ConfigWriteError as exc:
            return error(500, str(exc))

    @bp.route("/status", methods=["GET", "OPTIONS"])
    @guard.require
    async def status() -> Response:
        if service is None:
            return error(503, "the Chatwoot bridge is not available in this server")
        return json_no_cache(await service.status())

    return bp

"""`/api/admin/webhooks` (reference §1.6, §4): list, create, delete, and (ours) test.

Create takes `{url, events, secret?}` (develop; a secret is generated when none is given) and
answers `{id, url, events, timestamp, lastUsed, secret}`; the secret signs every delivery
(`owncast-signature`). `POST /api/admin/webhooks/test {id}` sends a
sample event of the webhook's first type at once and says how the receiver answered: 200 when
it answered 2xx, 424 (with the reason) when it did not. `GET /api/admin/webhooks/deliveries
[?id=N]` (ours) lists the last attempts kept in memory, newest first (no URL, secret or signature).
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify, request

from owncastd.errors import WebhookRejectedError
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.json_body import BadRequestError, as_int, json_kind, json_object
from owncastd.http.responses import error, json_no_cache, success

MAX_EVENTS = 20
MAX_SECRET_CHARS = 256


def _events(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise BadRequestError(f"events is required and must be an array (got {json_kind(value)})")
    if len(value) > MAX_EVENTS or not all(isinstance(event, str) for event in value):
        raise BadRequestError(f"events must be an array of at most {MAX_EVENTS} event types")
    return value


def _secret(value: Any) -> str:
    """develop's optional `secret` (openapi.yaml@86011b77); missing, null or "" → generated."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequestError(f"secret must be a string (got {json_kind(value)})")
    if len(value) > MAX_SECRET_CHARS or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise BadRequestError(
            f"secret must be at most {MAX_SECRET_CHARS} characters without control characters"
        )
    return value


async def _id() -> int:
    body = await json_object()
    if "id" not in body:
        raise BadRequestError("id is required")
    return as_int(body["id"], "id")


def create_admin_webhooks(guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint; every route requires the admin."""
    bp = Blueprint("admin_webhooks", __name__, url_prefix="/api/admin/webhooks")
    hooks = control.webhooks

    @bp.route("", methods=["GET", "OPTIONS"])
    @guard.require
    async def webhooks() -> Response:
        return json_no_cache([hook.to_json() for hook in await hooks.all()])

    @bp.route("/create", methods=["POST", "OPTIONS"])
    @guard.require
    async def create() -> Response:
        body = await json_object()
        url = body.get("url")
        if not isinstance(url, str):
            raise BadRequestError(f"url is required and must be a string (got {json_kind(url)})")
        events = _events(body.get("events"))
        try:
            hook = await hooks.create(url, events, _secret(body.get("secret")))
        except WebhookRejectedError as exc:
            raise BadRequestError(str(exc)) from None
        return jsonify(hook.to_json())

    @bp.route("/delete", methods=["POST", "OPTIONS"])
    @guard.require
    async def delete() -> Response:
        webhook_id = await _id()
        if not await hooks.delete(webhook_id):
            raise BadRequestError(f"no webhook with id {webhook_id}")
        return success("deleted webhook")

    @bp.route("/deliveries", methods=["GET", "OPTIONS"])
    @guard.require
    async def deliveries() -> Response:
        raw = request.args.get("id")
        if raw is not None and not raw.isdigit():
            raise BadRequestError(f"id must be a whole number (got {raw[:20]!r})")
        webhook_id = None if raw is None else int(raw)
        if webhook_id is not None and webhook_id not in {hook.id for hook in await hooks.all()}:
            raise BadRequestError(f"no webhook with id {webhook_id}")
        return json_no_cache([a.to_json() for a in hooks.recent.newest_first(webhook_id)])

    @bp.route("/test", methods=["POST", "OPTIONS"])
    @guard.require
    async def test() -> Response:
        webhook_id = await _id()
        outcome = await hooks.test(webhook_id)
        if outcome is None:
            raise BadRequestError(f"no webhook with id {webhook_id}")
        message = f"webhook {webhook_id}: the receiver {outcome.describe()}"
        if not outcome.ok:
            return error(424, message)
        return success(message)

    return bp

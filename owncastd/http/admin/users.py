"""`GET /api/admin/users` and `POST /api/admin/users/delete` (reference §1.6).

The list is `{total, results}`, newest first (`?sort=asc` for oldest first), with
`?offset=&limit=&search=&status=` where status is develop's `all`, `active` (not disabled) or
`bots`, or v0.2's `moderators` or `banned`. Users are Owncast's `User` objects plus
`authProviders` (the friendly names of their linked identities, e.g. `IndieAuth`; absent for
anonymous users, as in Owncast develop).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from quart import Blueprint, Response, request

from owncastd.core.identity.linking import PROVIDER_NAMES
from owncastd.core.users import SORT_ORDERS, STATUSES
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.context import WebContext
from owncastd.http.json_body import BadRequestError, json_kind, json_object
from owncastd.http.responses import json_no_cache, success

if TYPE_CHECKING:
    from owncastd.store.user_admin import UserRecord

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_SEARCH = 100


def user_json(user: UserRecord) -> dict[str, Any]:
    """Owncast's `User` JSON (optional fields omitted when unset, as Go's omitempty does)."""
    out: dict[str, Any] = {
        "id": user.id,
        "displayName": user.display_name,
        "displayColor": user.display_color,
        "createdAt": user.created_at,
        "previousNames": list(user.previous_names),
        "isBot": user.is_bot,
        "authenticated": user.authenticated_at is not None,
    }
    if user.auth_providers:  # develop: friendly names, absent for anonymous users
        out["authProviders"] = [PROVIDER_NAMES.get(p, p) for p in user.auth_providers]
    if user.disabled_at:
        out["disabledAt"] = user.disabled_at
    if user.name_changed_at:
        out["nameChangedAt"] = user.name_changed_at
    if user.scopes:
        out["scopes"] = list(user.scopes)
    if user.last_used:
        out["lastUsedAt"] = user.last_used
    return out


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequestError(f"{name} must be a whole number (got {raw[:20]!r})") from None
    if not low <= value <= high:
        raise BadRequestError(f"{name} must be {low}..{high} (got {value})")
    return value


def create_admin_users(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint; `control.user_deleted` listeners hear of deleted users."""
    bp = Blueprint("admin_users", __name__)

    @bp.route("/api/admin/users", methods=["GET", "OPTIONS"])
    @guard.require
    async def users() -> Response:
        offset = _int_arg("offset", 0, 0, 1_000_000_000)
        limit = _int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        search = request.args.get("search", "")[:MAX_SEARCH]
        status = request.args.get("status") or None
        if status is not None and status not in STATUSES:
            raise BadRequestError(f"status must be one of {', '.join(STATUSES)}")
        sort = request.args.get("sort") or "desc"
        if sort not in SORT_ORDERS:
            raise BadRequestError(f"sort must be one of {', '.join(SORT_ORDERS)}")
        total, page = await control.users.search(
            offset=offset,
            limit=limit,
            search=search,
            status=status,
            sort=sort,
        )
        return json_no_cache({"total": total, "results": [user_json(u) for u in page]})

    @bp.route("/api/admin/users/delete", methods=["POST", "OPTIONS"])
    @guard.require
    async def delete_user() -> Response:
        body = await json_object()
        user_id = body.get("userId")
        if not isinstance(user_id, str) or not user_id:
            raise BadRequestError(f"userId must be a user id (got {json_kind(user_id)})")
        if len(user_id) > 128 or not await control.users.delete(user_id):
            raise BadRequestError("no user with that id")
        for listener in list(control.user_deleted):
            listener(user_id)
        log.info("admin deleted a user user_id=%s", user_id)
        return success("user deleted")

    return bp

"""Follower routes (develop §1.7): the public ``/api/followers`` and the admin's followers,
pending requests, blocked actors, approve/reject, remove, and the accepted actions."""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.federation.common import FederationWeb
from owncastd.http.json_body import BadRequestError, json_object
from owncastd.http.responses import json_no_cache, success

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def _paging() -> tuple[int, int] | None:
    """(offset, limit) from the query; None when either is not a whole number (Owncast's
    pagination middleware answers 400 with an empty body)."""
    try:
        offset = int(request.args.get("offset") or 0)
        limit = int(request.args.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        return None
    return max(0, offset), min(max(0, limit), MAX_LIMIT)


def _actor_iri(body: dict[str, object], message: str) -> str:
    iri = body.get("actorIRI")
    if not isinstance(iri, str) or not iri:
        raise BadRequestError(message)
    return iri


def create_follower_routes(fed: FederationWeb, guard: AdminGuard) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("federation_followers", __name__)

    async def followers_page() -> Response:
        paging = _paging()
        if paging is None:
            return Response("", status=400)
        total, page = await fed.store.followers(*paging)
        return json_no_cache({"total": total, "results": [f.to_json() for f in page]})

    bp.add_url_rule("/api/followers", "public_followers", followers_page)
    bp.add_url_rule("/api/admin/followers", "admin_followers", guard.require(followers_page))

    @bp.get("/api/admin/followers/pending")
    @guard.require
    async def pending() -> Response:
        return json_no_cache([f.to_json() for f in await fed.store.pending()])

    @bp.get("/api/admin/followers/blocked")
    @guard.require
    async def blocked() -> Response:
        return json_no_cache([f.to_json() for f in await fed.store.blocked()])

    @bp.post("/api/admin/followers/approve")
    @guard.require
    async def approve() -> Response:
        body = await json_object()
        approved = body.get("approved")
        if not isinstance(body.get("actorIRI"), str) or not isinstance(approved, bool):
            raise BadRequestError("actorIRI and approved are required")
        iri = _actor_iri(body, "actorIRI and approved are required")
        if approved:
            known = await fed.inbox.approve(iri)
        else:
            known = await fed.store.disable(iri, fed.inbox.now())
        if not known:
            raise BadRequestError("follower not found")
        return success("follower updated")

    @bp.post("/api/admin/followers/remove")
    @guard.require
    async def remove() -> Response:
        iri = _actor_iri(await json_object(), "actorIRI is required")
        if not await fed.store.remove_follower(iri):
            raise BadRequestError("follower not found")
        return success("follower removed")

    @bp.get("/api/admin/federation/actions")
    @guard.require
    async def actions() -> Response:
        paging = _paging()
        if paging is None:
            return Response("", status=400)
        page, limit = paging
        # Owncast's quirk: `offset` is a page number, the SQL offset is limit × offset.
        total, found = await fed.store.activities(page * limit, limit)
        return json_no_cache({"total": total, "results": [a.to_json() for a in found]})

    return bp

"""``POST /api/admin/federation/send`` (develop §1.7–1.8): the admin's post to the Fediverse,
stored in the outbox and queued to every follower."""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint, Response

from owncastd.core.federation.notes import FediversePoster
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.federation.common import FederationWeb
from owncastd.http.json_body import BadRequestError, json_object
from owncastd.http.responses import success


def create_send_route(ctx: WebContext, fed: FederationWeb, guard: AdminGuard) -> Blueprint:
    """The blueprint (answers 400 "Federation is disabled" while federation is off)."""
    bp = Blueprint("federation_send", __name__)

    @bp.post("/api/admin/federation/send")
    @guard.require
    async def send() -> Response:
        if not ctx.settings.current.federation.enabled:
            raise BadRequestError("Federation is disabled")
        value = (await json_object()).get("value")
        if not isinstance(value, str) or fed.deliveries is None:
            raise BadRequestError("unable to send message")
        poster = FediversePoster(
            lambda: ctx.settings.current, fed.store, fed.deliveries, lambda: datetime.now(UTC)
        )
        await poster.post(value)
        return success("sent")

    return bp

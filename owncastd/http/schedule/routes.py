"""Schedule routes (develop §5.2): `/api/schedule`, `/api/schedule.ics` and the admin's CRUD.

Owncast answers their 400s as `{"error": "…"}` (also the `schedule/*` setters' errors).
Federation of events (issue 11) is not done here.
"""

from __future__ import annotations

from datetime import datetime

from quart import Blueprint, Response, request
from quart_trio import QuartTrio

from owncastd.core.schedule.edits import parse_time
from owncastd.core.schedule.ics import calendar
from owncastd.core.schedule.models import ScheduleError, utc_text
from owncastd.core.schedule.service import ScheduleService
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.setter_schedule import ScheduleInputError
from owncastd.http.context import WebContext
from owncastd.http.json_body import json_object
from owncastd.http.responses import NO_CACHE, json_no_cache

MAX_BODY_BYTES = 64 * 1024


def schedule_error(message: str) -> Response:
    """Owncast's schedule error: 400 `{"error": message}`."""
    response = json_no_cache({"error": message})
    response.status_code = 400
    return response


def _query_time(name: str) -> datetime | None:
    value = request.args.get(name)
    return None if not value else parse_time(value, name)


def register_schedule(
    app: QuartTrio, ctx: WebContext, guard: AdminGuard, service: ScheduleService | None
) -> None:
    """The error shape, and the routes when the schedule service is wired."""

    @app.errorhandler(ScheduleError)
    async def refused(exc: ScheduleError) -> Response:
        return schedule_error(str(exc))

    @app.errorhandler(ScheduleInputError)
    async def setter_refused(exc: ScheduleInputError) -> Response:
        return schedule_error(exc.message)

    if service is not None:
        app.register_blueprint(_public(ctx, service))
        app.register_blueprint(_admin(ctx, guard, service))


def _public(ctx: WebContext, service: ScheduleService) -> Blueprint:
    routes = Blueprint("schedule", __name__)

    @routes.route("/api/schedule", methods=["GET", "OPTIONS"])
    async def schedule() -> Response:
        if request.method == "OPTIONS":
            return Response("", status=204)
        events = await service.public_events(_query_time("from"), _query_time("to"))
        return json_no_cache(events)

    @routes.get("/api/schedule.ics")
    async def ics() -> Response:
        text = calendar(await service.calendar_events(), ctx.clock())
        response = Response(text.encode(), content_type="text/calendar; charset=utf-8")
        response.headers["Cache-Control"] = NO_CACHE
        return response

    return routes


def _admin(ctx: WebContext, guard: AdminGuard, service: ScheduleService) -> Blueprint:
    routes = Blueprint("admin_schedule", __name__)

    @routes.route("/api/admin/schedule", methods=["GET", "OPTIONS"])
    @guard.require
    async def admin_schedule() -> Response:
        return json_no_cache(await service.admin_schedule())

    @routes.route("/api/admin/schedule/event", methods=["POST", "OPTIONS"])
    @guard.require
    async def upsert() -> Response:
        await service.upsert(await json_object(MAX_BODY_BYTES))
        return json_no_cache(await service.admin_schedule())

    @routes.route("/api/admin/schedule/event/delete", methods=["POST", "OPTIONS"])
    @guard.require
    async def delete() -> Response:
        body = await json_object(MAX_BODY_BYTES)
        cancel = body.get("cancel")
        await service.delete(body.get("id"), cancel is True)
        return json_no_cache(await service.admin_schedule())

    @routes.route("/api/admin/schedule/preview", methods=["POST", "OPTIONS"])
    @guard.require
    async def preview() -> Response:
        body = await json_object(MAX_BODY_BYTES)
        recurrence = body.get("recurrence")
        if not isinstance(recurrence, str):
            raise ScheduleError("recurrence is required")
        found = await service.preview(recurrence, ctx.clock())
        return json_no_cache({"occurrences": [utc_text(t) for t in found]})

    return routes

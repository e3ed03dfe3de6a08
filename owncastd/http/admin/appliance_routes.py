"""Appliance routes: `GET /api/healthz` (no auth), `GET /api/admin/daemon` and
`POST /api/admin/config/reload` (admin).

`/api/healthz` answers 200 `{"status": "ok" | "degraded", "parts": …, "problems": […]}` while
HTTP, RTMP and the store are up, and 503 with `"status": "failing"` and the failing parts
otherwise. Degraded (disk nearly full, writes failing, a failed backup) still answers 200, so a
load balancer keeps a node that streams; `?strict=1` makes it 503 too, for alerting.

`/api/admin/daemon` adds what `owncastctl status` shows beside Owncast's status: the keys
changed in the file that wait for a restart (`restartRequired`) and the last reload.
"""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache

STRICT_VALUES = ("1", "true", "yes")


def create_operations_routes(ctx: WebContext, guard: AdminGuard) -> Blueprint:
    """The blueprint (without `ctx.operations`, healthz says ok and the admin routes 404)."""
    ops = Blueprint("operations", __name__)

    @ops.get("/api/healthz")
    async def healthz() -> Response:
        if ctx.operations is None:
            return json_no_cache({"status": "ok", "parts": {"http": "up"}, "problems": []})
        report = await ctx.operations.health.report()
        strict = request.args.get("strict", "").lower() in STRICT_VALUES
        response = json_no_cache(report.to_json())
        if report.status == "failing" or (strict and report.status != "ok"):
            response.status_code = 503
        return response

    @ops.route("/api/admin/daemon", methods=["GET", "OPTIONS"])
    @guard.require
    async def daemon_status() -> Response:
        if ctx.operations is None:
            return error(404, "daemon status is not available")
        return json_no_cache(await ctx.operations.status_json())

    @ops.route("/api/admin/config/reload", methods=["POST", "OPTIONS"])
    @guard.require
    async def reload_config() -> Response:
        if ctx.operations is None or ctx.operations.reloader is None:
            return error(404, "configuration reload is not available")
        result = await ctx.operations.reloader.reload("api")
        body = {
            "success": result.ok,
            "message": "configuration reloaded" if result.ok else "configuration rejected",
            **result.to_json(),
        }
        response = json_no_cache(body)
        if not result.ok:
            response.status_code = 400
        return response

    return ops

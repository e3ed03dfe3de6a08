"""Admin actions on the server itself (reference §1.6): disconnect, logs, directory, update.

`disconnect` drops the publisher; `logs` and `logs/warnings` read the in-memory log;
`yp/reset` forgets the directory registration key; `update/options` says this build cannot
update itself; `update/forcequit` stops the daemon cleanly (Owncast's test harness uses it).
Owncast serves the actions as GET; POST is accepted too, as older clients send it.

A GET can be forged: an `<img>` in a page (or in chat) pointing at `/api/admin/update/forcequit`
makes the browser of an admin with cached Basic credentials run it. The app's before-request
guard (`origin_guard.py`) refuses such requests, and forged POSTs, for every admin route.
"""

from __future__ import annotations

import logging

from quart import Blueprint, Response

from owncastd.core.stream import DisconnectOutcome
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache, rfc3339, success
from owncastd.log_buffer import LogEntry

log = logging.getLogger(__name__)

ACTION_METHODS = ["GET", "POST", "OPTIONS"]


def log_json(entries: list[LogEntry]) -> list[dict[str, object]]:
    """Owncast's `[{message, level, time}]`."""
    return [{"message": e.message, "level": e.level, "time": rfc3339(e.time)} for e in entries]


def create_admin_server(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("admin_server", __name__)

    @bp.route("/api/admin/disconnect", methods=ACTION_METHODS)
    @guard.require
    async def disconnect() -> Response:
        outcome = ctx.stream.disconnect()
        if outcome is DisconnectOutcome.NOTHING:
            return error(400, "no inbound stream connected")
        if outcome is DisconnectOutcome.CLEARED_STALE:
            log.info("admin cleared a stream session whose connection was already gone")
            return success("inbound stream was already gone; its session has been cleared")
        log.info("admin disconnected the broadcaster")
        return success("inbound stream disconnected")

    @bp.route("/api/admin/logs", methods=["GET", "OPTIONS"])
    @guard.require
    async def logs() -> Response:
        return json_no_cache(log_json(control.logs.entries()))

    @bp.route("/api/admin/logs/warnings", methods=["GET", "OPTIONS"])
    @guard.require
    async def warnings() -> Response:
        return json_no_cache(log_json(control.logs.warnings()))

    @bp.route("/api/admin/yp/reset", methods=ACTION_METHODS)
    @guard.require
    async def yp_reset() -> Response:
        await control.datastore.forget_directory_registration()
        log.info("directory registration key reset")
        return success("directory registration reset")

    @bp.route("/api/admin/update/options", methods=["GET", "OPTIONS"])
    @guard.require
    async def update_options() -> Response:
        return json_no_cache({"supportsUpdate": False, "canRestart": False})

    @bp.route("/api/admin/update/start", methods=ACTION_METHODS)
    @guard.require
    async def update_start() -> Response:
        return error(400, "this build cannot update itself; upgrade it with your package manager")

    @bp.route("/api/admin/update/forcequit", methods=ACTION_METHODS)
    @guard.require
    async def force_quit() -> Response:
        control.shutdown.request()
        return success("shutting down")

    return bp

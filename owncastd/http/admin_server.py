"""Admin actions on the server itself (reference §1.6): disconnect, logs, directory, update.

`disconnect` drops the publisher; `logs` and `logs/warnings` read the in-memory log;
`yp/reset` forgets the directory registration key; `update/options` says this build cannot
update itself; `update/forcequit` stops the daemon cleanly (Owncast's test harness uses it).
Owncast serves the actions as GET; POST is accepted too, as older clients send it.

A GET can be forged: an `<img>` in a page (or in chat) pointing at `/api/admin/update/forcequit`
makes the browser of an admin with cached Basic credentials run it. So the three actions that
change something (`disconnect`, `yp/reset`, `update/forcequit`) refuse, with 403, a request whose
Fetch Metadata says the admin did not ask for it: `Sec-Fetch-Site: cross-site`, a subresource
`Sec-Fetch-Dest` (image, script, iframe, …), or a page navigation that came from a link rather
than the address bar (`document` without `Sec-Fetch-Site: none`). Requests with no Fetch Metadata
(curl, owncastctl, Owncast's tools, older browsers) and the admin app's `fetch()` calls
(`Sec-Fetch-Dest: empty` from the same origin or site, as its dev server on localhost:3000 is)
are served as before. `Origin` is not checked: proxies that rewrite Host would break it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from quart import Blueprint, Response, request

from owncastd.core.stream import DisconnectOutcome
from owncastd.http.admin_auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.control import ControlPlane
from owncastd.http.responses import error, json_no_cache, rfc3339, success
from owncastd.log_buffer import LogEntry
from owncastd.store.datastore import DIRECTORY_KEY

log = logging.getLogger(__name__)

ACTION_METHODS = ["GET", "POST", "OPTIONS"]
P = ParamSpec("P")


def is_forged(site: str | None, dest: str | None) -> bool:
    """True when the Fetch Metadata (`Sec-Fetch-Site`, `Sec-Fetch-Dest`) shows a browser
    request the admin did not make on purpose."""
    if site == "cross-site":
        return True
    if dest is None or dest == "empty":
        return False  # no Fetch Metadata (curl, owncastctl), or fetch()/XHR
    if dest == "document":
        return site not in (None, "none")  # typed or bookmarked, not followed from a page
    return True  # an image, script, frame, style… never runs an admin action


def refuse_forged(handler: Callable[P, Awaitable[Response]]) -> Callable[P, Awaitable[Response]]:
    """Decorate an admin action: 403 for a request `is_forged` flags."""

    @functools.wraps(handler)
    async def checked(*args: P.args, **kwargs: P.kwargs) -> Response:
        site = request.headers.get("Sec-Fetch-Site")
        dest = request.headers.get("Sec-Fetch-Dest")
        if is_forged(site, dest):
            log.warning(
                "admin action refused path=%s sec_fetch_site=%s sec_fetch_dest=%s",
                request.path,
                site,
                dest,
            )
            return error(403, "admin actions must be requested by an admin client")
        return await handler(*args, **kwargs)

    return checked


def log_json(entries: list[LogEntry]) -> list[dict[str, object]]:
    """Owncast's `[{message, level, time}]`."""
    return [{"message": e.message, "level": e.level, "time": rfc3339(e.time)} for e in entries]


def create_admin_server(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("admin_server", __name__)

    @bp.route("/api/admin/disconnect", methods=ACTION_METHODS)
    @guard.require
    @refuse_forged
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
    @refuse_forged
    async def yp_reset() -> Response:
        await control.datastore.delete(DIRECTORY_KEY)
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
    @refuse_forged
    async def force_quit() -> Response:
        control.shutdown.request()
        return success("shutting down")

    return bp

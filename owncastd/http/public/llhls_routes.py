"""`/hls/ll/…` on the general app: the same answers as the lean path (fast_llhls), for the
requests that reach hypercorn — a browser's keep-alive connection that once carried another
route is served by the app from then on (transport/front_door.py), playlist reloads too."""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.http.client_address import request_ip
from owncastd.http.context import WebContext
from owncastd.http.transport.fast_http import Request
from owncastd.http.transport.fast_llhls import LowLatencyRoutes


def create_llhls_routes(ctx: WebContext) -> Blueprint:
    """The blueprint; answers come from the LL-HLS output in `ctx` (404 without one)."""
    routes = Blueprint("llhls", __name__)

    def count_viewer(_: Request, __: str) -> None:
        ctx.viewers.seen(request_ip(ctx.settings), request.headers.get("User-Agent", ""))

    answers = LowLatencyRoutes(ctx.low_latency, count_viewer)

    @routes.get("/hls/ll/<path:relative>")
    async def low_latency(relative: str) -> Response:
        query = request.query_string.decode("latin-1")
        target = request.path + (f"?{query}" if query else "")
        head = Request(request.method, target, True, {})
        status, block, data = await answers.reply(head, relative, "")
        response = Response(data, status=status)
        for line in block.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(": ")
            if name:
                response.headers[name] = value
        return response

    return routes

"""Discovery routes (develop §1.3): webfinger, host-meta, nodeinfo, x-nodeinfo2 and
``/api/v1/instance``; all answer 405 while federation is off."""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.http.context import WebContext
from owncastd.http.federation import documents
from owncastd.http.federation.common import FederationWeb, ap_json, disabled, sign_response


def create_discovery_routes(ctx: WebContext, fed: FederationWeb) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("federation_discovery", __name__)

    @bp.after_request
    async def signed(response: Response) -> Response:
        return await sign_response(fed, response)

    @bp.before_request
    async def gate() -> Response | None:
        return disabled(ctx.settings.current)

    @bp.get("/.well-known/webfinger")
    async def webfinger() -> Response:
        return webfinger_response(ctx.settings.current, request.args.get("resource", ""))

    @bp.get("/.well-known/host-meta")
    async def host_meta() -> Response:
        xml = documents.host_meta(ctx.settings.current)
        return Response(xml, content_type="text/xml; charset=utf-8")

    @bp.get("/.well-known/nodeinfo")
    async def nodeinfo_links() -> Response:
        return ap_json(documents.nodeinfo_links(ctx.settings.current))

    @bp.get("/nodeinfo/2.0")
    async def nodeinfo() -> Response:
        posts = await fed.store.outbox_count()
        return ap_json(documents.nodeinfo(ctx.settings.current, ctx.version, posts))

    @bp.get("/.well-known/x-nodeinfo2")
    async def x_nodeinfo2() -> Response:
        settings = ctx.settings.current
        if not settings.server.url:
            return Response("", status=404)
        posts = await fed.store.outbox_count()
        return ap_json(documents.x_nodeinfo2(settings, ctx.version, posts))

    @bp.get("/api/v1/instance")
    async def instance() -> Response:
        settings = ctx.settings.current
        if not settings.server.url:
            return Response("", status=404)
        posts = await fed.store.outbox_count()
        return ap_json(documents.instance(settings, ctx.version, posts))

    return bp


def webfinger_response(settings: Settings, resource: str) -> Response:
    """The JRD for ``acct:user@host``: 400 for a malformed resource, 404 for an unknown user
    (checked first), 501 for another host."""
    if not resource.startswith("acct:"):
        return Response("resource must start with acct:", status=400)
    parts = resource[len("acct:") :].split("@")
    if len(parts) != 2 or not all(parts):
        return Response("the account must be user@host", status=400)
    user, host = parts
    try:
        wanted = iris.canonical_server(f"https://{host}")
    except ValueError:
        return Response("the host is not valid", status=400)
    if user != iris.username_or_default(settings.federation.username):
        return Response("", status=404)
    if wanted.partition("://")[2] != iris.server_host(settings.server.url):
        return Response("", status=501)
    document = documents.webfinger(settings, user, host)
    return ap_json(document, content_type="application/jrd+json")

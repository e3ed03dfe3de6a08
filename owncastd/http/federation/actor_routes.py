"""The actor and its collections, published objects and the inbox (develop §1.1, §1.4, §1.5).
Everything under ``/federation/`` answers 405 while federation is off, and redirects (307 to
``/``) a request that does not ask for ActivityPub."""

from __future__ import annotations

import json
import logging
from typing import Any

from quart import Blueprint, Response, request

from owncastd.core.federation import iris
from owncastd.core.federation.inbound import RequestRefused
from owncastd.http.context import WebContext
from owncastd.http.federation import documents
from owncastd.http.federation.common import (
    PAGE_SIZE,
    FederationWeb,
    ap_json,
    collection,
    disabled,
    json_depth,
    negotiate,
    page_number,
    sign_response,
)

log = logging.getLogger(__name__)

MAX_INBOX_BYTES = 1 << 20
MAX_JSON_DEPTH = 32


def create_actor_routes(ctx: WebContext, fed: FederationWeb) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("federation_actor", __name__)

    @bp.after_request
    async def signed(response: Response) -> Response:
        return await sign_response(fed, response)

    @bp.before_request
    async def gate() -> Response | None:
        return disabled(ctx.settings.current) or negotiate()

    def ours(name: str) -> bool:
        return name == iris.username_or_default(ctx.settings.current.federation.username)

    @bp.route("/federation/user/<name>", methods=["GET"])
    async def actor(name: str) -> Response:
        if not ours(name):
            return Response("", status=404)
        settings = ctx.settings.current
        document = documents.actor_document(settings, await fed.keys.public_pem())
        if published := await fed.keys.published():
            document["published"] = published
        return ap_json(document)

    @bp.route("/federation/user/<name>/<part>", methods=["GET", "POST"])
    async def actor_part(name: str, part: str) -> Response:
        if not ours(name) or part not in ("inbox", "outbox", "followers"):
            return Response("", status=404)  # /following too
        wanted = "POST" if part == "inbox" else "GET"
        if request.method != wanted and not (wanted == "GET" and request.method == "HEAD"):
            return Response("", status=405, headers={"Allow": wanted})
        if part == "inbox":
            return await receive_activity(fed)
        return await _collection(ctx, fed, part)

    @bp.get("/federation/<short_id>")
    async def published(short_id: str) -> Response:
        settings = ctx.settings.current
        if settings.federation.private:
            return Response("", status=404)
        iri = iris.object_iri(settings.server.url, short_id)
        found = await fed.store.outbox_object(iri)
        if found is None and settings.server.url:
            found = await fed.store.outbox_object(f"{settings.server.url}{request.path}")
        if found is None:
            return Response("", status=404)
        return ap_json(found[0])

    return bp


async def _collection(ctx: WebContext, fed: FederationWeb, part: str) -> Response:
    """The outbox or followers OrderedCollection, or one page of it."""
    try:
        page = page_number()
    except ValueError:
        # Owncast answers 500 (empty body); a client error is no server fault: 400.
        return Response("", status=400)
    settings = ctx.settings.current
    url = f"{iris.canonical_server(settings.server.url)}{request.path}"
    offset = ((page or 1) - 1) * PAGE_SIZE
    if part == "outbox":
        total = await fed.store.outbox_count()
        items: list[Any] = await fed.store.outbox_page(offset, PAGE_SIZE) if page else []
        return ap_json(collection(url, total, page, items))
    total, followers = await fed.store.followers(offset, PAGE_SIZE if page else 0)
    return ap_json(collection(url, total, page, [f.profile.iri for f in followers]))


async def receive_activity(fed: FederationWeb) -> Response:
    """``POST …/inbox``: at most 1 MiB of a JSON object nested at most 32 deep (413/400),
    signed by its sender (401 and nothing stored otherwise), then handled: 202."""
    length = request.content_length
    if length is not None and length > MAX_INBOX_BYTES:
        return Response("request body too large", status=413)
    body = await request.get_data(cache=False)
    assert isinstance(body, bytes)
    if len(body) > MAX_INBOX_BYTES:
        return Response("request body too large", status=413)
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        return Response("the body is not JSON", status=400)
    if not isinstance(activity, dict) or not json_depth(activity, MAX_JSON_DEPTH):
        return Response("the body must be a JSON object, nested at most 32 deep", status=400)
    headers = {name.lower(): value for name, value in request.headers.items()}
    target = request.full_path if request.query_string else request.path
    try:
        sender = await fed.verifier.verify(request.method, target, headers, body, activity)
    except RequestRefused as exc:
        log.info("federation inbox refused: %s", exc)
        return Response(str(exc)[:200], status=401)
    try:
        await fed.inbox.handle(activity, sender)
    except Exception:  # never a 500 to a remote server; the log says what broke
        log.exception("federation inbox handler failed type=%.40s", activity.get("type"))
    return Response("", status=202)

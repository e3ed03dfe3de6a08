"""What the federation routes share: their services, the 405 gate while federation is off,
Accept/Content-Type negotiation (develop §1.1), ActivityPub JSON responses and paging."""

from __future__ import annotations

import json
from typing import Any

from quart import Response, redirect, request

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.http.federation.services import FederationWeb as FederationWeb

ACTIVITY_JSON = "application/activity+json"
AP_TYPES = frozenset(
    (
        "application/json",
        "application/json+ld",
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    )
)
PAGE_SIZE = 50


def disabled(settings: Settings) -> Response | None:
    """405 with an empty body while federation is off; 404 while the server URL cannot be
    canonicalised (no IRI can be made); else None."""
    if not settings.federation.enabled:
        return Response("", status=405)
    try:
        iris.canonical_server(settings.server.url)
    except ValueError:
        return Response("", status=404)
    return None


async def sign_response(fed: FederationWeb, response: Response) -> Response:
    """Add ``Digest`` and a ``Signature`` over it to a 200 ActivityPub JSON answer."""
    if response.status_code == 200 and response.mimetype == ACTIVITY_JSON:
        body = await response.get_data()
        assert isinstance(body, bytes)
        response.headers.update(await fed.keys.sign_digest(body))
    return response


def wants_activitypub() -> bool:
    """True when an Accept piece (else a Content-Type piece) is exactly one of AP_TYPES."""
    for header in ("Accept", "Content-Type"):
        pieces = {piece.strip() for piece in request.headers.get(header, "").split(",")}
        if pieces & AP_TYPES:
            return True
    return False


def negotiate() -> Response | None:
    """The 307 redirect to ``/`` for a request that does not ask for ActivityPub, else None."""
    if wants_activitypub():
        return None
    response = redirect("/", code=307)
    return response  # type: ignore[return-value]


def ap_json(document: Any, status: int = 200, content_type: str = ACTIVITY_JSON) -> Response:
    """`document` as compact JSON with the ActivityPub content type."""
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=status, content_type=content_type)


def page_number() -> int | None:
    """The ``page`` query parameter (None without one); ValueError when not a positive
    number."""
    raw = request.args.get("page")
    if raw is None:
        return None
    page = int(raw)
    if page < 1:
        raise ValueError("page must be positive")
    return page


def collection(url: str, total: int, page: int | None, items: list[Any]) -> dict[str, Any]:
    """An OrderedCollection (no page) or one OrderedCollectionPage of `items` (develop §1.4)."""
    context = "https://www.w3.org/ns/activitystreams"
    if page is None:
        return {
            "@context": context,
            "id": url,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": f"{url}?page=1",
        }
    document: dict[str, Any] = {
        "@context": context,
        "id": f"{url}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": url,
        "totalItems": total,
        "orderedItems": items,
    }
    if page * PAGE_SIZE < total:
        document["next"] = f"{url}?page={page + 1}"
    return document


def json_depth(value: Any, limit: int) -> bool:
    """True when `value` nests arrays/objects no deeper than `limit` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return True

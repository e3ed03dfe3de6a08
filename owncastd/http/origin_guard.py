"""Refusing forged state changes: one before-request check for the admin and moderator routes.

A browser attaches an admin's cached Basic credentials to every request to this origin,
whichever page makes it: a `no-cors` `fetch` with a Blob body, a form, an `<img>`. So every
state-changing request (POST, PUT, PATCH, DELETE, and the GET actions `disconnect`, `yp/reset`,
`update/start` and `update/forcequit`) to `/api/admin/…` or a moderator route
(`/api/chat/messagevisibility`, `/api/chat/users/setenabled`, `/api/moderation/…`) must show
that this origin's own pages made it:

- `Sec-Fetch-Site` (every current browser sends it) must be `same-origin` (or `none`: typed in
  the address bar). `same-site` is refused: another port or subdomain of the same site is
  another origin, and may be someone else's. `cross-site` is refused.
- With Fetch Metadata, `Sec-Fetch-Dest` must be `empty` (`fetch`, XHR), or `document` typed in
  the address bar (`Sec-Fetch-Site: none`): an image, script, frame or followed link never
  changes anything.
- Without Fetch Metadata (older browsers), an `Origin` header must equal this request's own
  scheme, host and port (from `Host`). `Origin: null` is refused.
- A request with neither header is not from a browser page (curl, owncastctl, Owncast's tools)
  and is served.

Requests that carry no credentials at all (no `Authorization` header, no `accessToken`) are left
to the route's own guard, which answers 401. The integrations API (`/api/integrations/…`) is not
checked: its bearer token is never attached by a browser on its own, so a page can only use a
token it already holds, and Owncast serves it to any origin (`Access-Control-Allow-Origin: *`).
`/api/chat/register` is not checked either: it is public, needs no credentials and changes
nothing of anyone else's, and embeds and other sites may register viewers just as the page does.
"""

from __future__ import annotations

import logging

from quart import Response, request

from owncastd.http.responses import error

log = logging.getLogger(__name__)

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
GET_ACTIONS = frozenset(
    {
        "/api/admin/disconnect",
        "/api/admin/yp/reset",
        "/api/admin/update/start",
        "/api/admin/update/forcequit",
    }
)
MODERATOR_ROUTES = frozenset({"/api/chat/messagevisibility", "/api/chat/users/setenabled"})
GUARDED_PREFIXES = ("/api/admin/", "/api/moderation/")


def is_guarded(method: str, path: str) -> bool:
    """Whether a request to `path` with `method` changes state on a guarded route."""
    if not (path.startswith(GUARDED_PREFIXES) or path in MODERATOR_ROUTES):
        return False
    return method in STATE_CHANGING or (method in ("GET", "HEAD") and path in GET_ACTIONS)


def forged_reason(
    site: str | None, dest: str | None, origin: str | None, own_origin: str
) -> str | None:
    """Why the Fetch Metadata / Origin show a request this origin's pages did not make, or
    None when it may be served."""
    if site is not None:
        site = site.lower()
        if site not in ("same-origin", "none"):
            return f"Sec-Fetch-Site: {site[:30]}"
        if dest is None or dest == "empty":
            return None
        if dest == "document" and site == "none":
            return None  # typed or bookmarked, not followed from a page
        return f"Sec-Fetch-Dest: {dest[:30]}"
    if origin is not None and _normalised(origin) != _normalised(own_origin):
        return f"Origin: {origin[:80]}"
    return None


def _normalised(origin: str) -> str:
    """`scheme://host[:port]` lower-cased, without the scheme's default port."""
    origin = origin.lower().rstrip("/")
    for scheme, port in (("http://", ":80"), ("https://", ":443")):
        if origin.startswith(scheme) and origin.endswith(port):
            return origin.removesuffix(port)
    return origin


def _has_credentials() -> bool:
    return "Authorization" in request.headers or bool(request.args.get("accessToken"))


async def refuse_forged_requests() -> Response | None:
    """The before-request hook: 403 for a forged state change, None to go on."""
    if not is_guarded(request.method, request.path) or not _has_credentials():
        return None
    own_origin = f"{request.scheme}://{request.host}"
    reason = forged_reason(
        request.headers.get("Sec-Fetch-Site"),
        request.headers.get("Sec-Fetch-Dest"),
        request.headers.get("Origin"),
        own_origin,
    )
    if reason is None:
        return None
    log.warning(
        "forged request refused method=%s path=%s reason=%r", request.method, request.path, reason
    )
    return error(403, f"refused: this request did not come from this server's pages ({reason})")

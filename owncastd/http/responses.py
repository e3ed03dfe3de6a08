"""Response helpers shared by the routes: Owncast's JSON error shape and cache headers."""

from __future__ import annotations

from typing import Any

from quart import Response, jsonify

from owncastd.http.public.shared import NO_CACHE as NO_CACHE
from owncastd.http.public.shared import rfc3339 as rfc3339


def error(status: int, message: str) -> Response:
    """Owncast's error body `{"success": false, "message": …}` with `status`."""
    response = jsonify({"success": False, "message": message})
    response.status_code = status
    return response


def success(message: str = "ok") -> Response:
    """Owncast's success body `{"success": true, "message": …}`."""
    return jsonify({"success": True, "message": message})


def json_no_cache(payload: Any) -> Response:
    """A JSON response that browsers and proxies must not cache."""
    response = jsonify(payload)
    response.headers["Cache-Control"] = NO_CACHE
    return response


def body(data: bytes, content_type: str, *, cache_control: str | None = None) -> Response:
    """A whole-bytes response (never streamed from disk in pieces)."""
    response = Response(data, content_type=content_type)
    if cache_control:
        response.headers["Cache-Control"] = cache_control
    return response

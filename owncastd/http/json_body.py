"""Reading JSON request bodies at the edge: content type, size, syntax and shape.

Every failure raises :class:`BadRequestError`, which the app turns into Owncast's
`{"success": false, "message": …}` with its status (400, 413 or 415). Nothing is half-read:
handlers get a parsed value or an error before they change anything.
"""

from __future__ import annotations

import json
import math
from typing import Any

from quart import request

from owncastd.core.json_text import lone_surrogate_path
from owncastd.errors import OwncastdError

JSON_TYPES = ("application/json",)
MAX_JSON_BYTES = 1024 * 1024


class BadRequestError(OwncastdError):
    """A request the client must fix; `status` is a 4xx and `message` says what was wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON (no NaN/Infinity, no lone surrogates); BadRequestError on anything else."""
    if not raw.strip():
        raise BadRequestError("the request body is empty; a JSON document was expected")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise BadRequestError("the JSON document is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"
        raise BadRequestError(f"malformed JSON: {detail}") from None
    where = lone_surrogate_path(value)
    if where is not None:
        raise BadRequestError(
            f"invalid Unicode at {where}: a lone surrogate escape (\\uD800-\\uDFFF)"
        )
    return value


def require_json_type() -> None:
    """415 unless the request says its body is JSON (`application/json` or `…+json`).

    A missing Content-Type is refused too: a cross-site page can send a typeless body (a Blob)
    without a CORS preflight, but not one labelled JSON.
    """
    mimetype = request.mimetype
    if mimetype in JSON_TYPES or mimetype.endswith("+json"):
        return
    got = f"got {mimetype[:60]}" if mimetype else "none was given"
    raise BadRequestError(f"Content-Type must be application/json ({got})", status=415)


async def json_body(max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The request's JSON body.

    The Content-Type must be JSON (`application/json` or `…+json`); the body must be at most
    `max_bytes` and well-formed.
    """
    length = request.content_length
    if length is not None and length > max_bytes:
        raise BadRequestError(f"the request body is larger than {max_bytes} bytes", status=413)
    raw = await request.get_data(cache=False)
    assert isinstance(raw, bytes)
    if len(raw) > max_bytes:
        raise BadRequestError(f"the request body is larger than {max_bytes} bytes", status=413)
    require_json_type()
    return parse_json(raw)


async def json_object(max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    body = await json_body(max_bytes)
    if not isinstance(body, dict):
        raise BadRequestError(f"a JSON object was expected (got {json_kind(body)})")
    return body


def json_kind(value: Any) -> str:
    """A JSON value's kind for messages: "a string", "an array", "null"…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def as_int(value: Any, what: str) -> int:
    """A JSON number that is a whole number (Owncast's clients send floats like 3.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequestError(f"{what} must be a number (got {json_kind(value)})")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise BadRequestError(f"{what} must be a whole number (got {value!r})")
    return int(value)

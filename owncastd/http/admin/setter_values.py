"""JSON value checks for the admin setters: each returns the checked value or raises
:class:`BadRequestError` saying what was wrong. Single-line values refuse control characters (no
header injection through a server URL or a name). :func:`body_value` checks a value against a
:mod:`owncastd.config.bodies` shape from the settings table.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from owncastd.config import bodies
from owncastd.config import checks as checks
from owncastd.http.json_body import BadRequestError, as_int, json_kind

Changes = dict[str, Any]

SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LIST = bodies.MAX_LIST


@dataclass(frozen=True)
class SetterEnv:
    """What converters with side effects need from the daemon."""

    supported_codecs: tuple[str, ...] = ()
    hash_password: Callable[[str], Awaitable[str]] | None = None
    save_logo: Callable[[str], Awaitable[str]] | None = None
    check_ffmpeg: Callable[[str], Awaitable[str | None]] | None = None


Converter = Callable[[Any, SetterEnv], Awaitable[Changes]]


def text(value: Any, what: str, *, max_len: int = 255, multiline: bool = False) -> str:
    """A JSON string of at most `max_len` characters; control characters refused."""
    if not isinstance(value, str):
        raise BadRequestError(f"{what} must be a string (got {json_kind(value)})")
    if len(value) > max_len:
        raise BadRequestError(f"{what} must be at most {max_len} characters (got {len(value)})")
    bad = MULTI_LINE_BAD if multiline else SINGLE_LINE_BAD
    if bad.search(value):
        kind = "control characters" if multiline else "line breaks or control characters"
        raise BadRequestError(f"{what} must not contain {kind}")
    return value


def flag(value: Any, what: str) -> bool:
    """A JSON boolean (strings such as "true" are refused, as in Owncast)."""
    if not isinstance(value, bool):
        raise BadRequestError(f"{what} must be true or false (got {json_kind(value)})")
    return value


def array(value: Any, what: str, *, max_items: int = MAX_LIST) -> list[Any]:
    """A JSON array of at most `max_items` entries."""
    if not isinstance(value, list):
        raise BadRequestError(f"{what} must be an array (got {json_kind(value)})")
    if len(value) > max_items:
        raise BadRequestError(f"{what} must have at most {max_items} entries (got {len(value)})")
    return value


def obj(value: Any, what: str) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise BadRequestError(f"{what} must be an object (got {json_kind(value)})")
    return value


def strings(value: Any, what: str, *, max_len: int = 255) -> list[str]:
    """A JSON array of single-line strings."""
    return [text(v, f"{what}[{i}]", max_len=max_len) for i, v in enumerate(array(value, what))]


def url(
    value: Any, what: str, schemes: tuple[str, ...] = ("http", "https"), *, required: bool = False
) -> str:
    """A URL with one of `schemes` and a host ("" allowed unless `required`)."""
    checked = text(value, what, max_len=2048)
    problem = checks.url(schemes, required=required)(checked)
    if problem:
        raise BadRequestError(f"{what} {problem}")
    return checked


def int_in(value: Any, what: str, low: int, high: int) -> int:
    """A whole JSON number in `low..high`."""
    number = as_int(value, what)
    if not low <= number <= high:
        raise BadRequestError(f"{what} must be {low}..{high} (got {number})")
    return number


def field_of(entry: dict[str, Any], key: str, default: Any) -> Any:
    """`entry[key]`, or `default` when missing or null (Go's zero-value decoding)."""
    value = entry.get(key)
    return default if value is None else value


def flat(section: str, values: dict[str, Any]) -> Changes:
    """`{"a": 1}` under `section` → `{"section.a": 1}`."""
    return {f"{section}.{key}": value for key, value in values.items()}


def ip(value: Any, what: str) -> str:
    """An IPv4 or IPv6 address."""
    address = text(value, what, max_len=64)
    if problem := checks.ip_address(address):
        raise BadRequestError(f"{what} {problem}")
    return address


def body_value(body: bodies.Body, value: Any, what: str) -> Any:
    """`value` checked against a table body shape (not :class:`bodies.Custom`)."""
    if isinstance(body, bodies.Text):
        return text(value, what, max_len=body.max_len, multiline=body.multiline)
    if isinstance(body, bodies.Flag):
        return flag(value, what)
    if isinstance(body, bodies.Int):
        return int_in(value, what, body.low, body.high)
    if isinstance(body, bodies.Url):
        return url(value, what, body.schemes)
    if isinstance(body, bodies.Ip):
        return ip(value, what)
    if isinstance(body, bodies.Strings):
        return strings(value, what, max_len=body.max_len)
    raise TypeError(f"{what}: a custom body has its own converter")


def zero(body: bodies.Body) -> Any:
    """Go's zero value for a missing object field of this shape."""
    return {bodies.Flag: False, bodies.Int: 0}.get(type(body), "")

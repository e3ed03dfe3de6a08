"""Parsing and checking `config set` values client-side, with messages that say what to type.

Each parser takes the text from the command line and returns the JSON value the admin setter
expects, or raises :class:`ValueError` with a message such as ``must be 0..4 (got 9)``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import mimetypes
import re
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Parser = Callable[[str], Any]

TRUE = {"true", "1", "yes", "on", "y"}
FALSE = {"false", "0", "no", "off", "n"}
ACCOUNT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
STREAM_KEY = re.compile(r"^\S+$")
# How `config keys` types an array-of-tables field, as Python types.
ITEM_TYPES: dict[str, type] = {"text": str, "bool": bool, "integer": int}


def text(limit: int | None = None) -> Parser:
    """Any string (at most `limit` characters)."""

    def parse(raw: str) -> str:
        if limit is not None and len(raw) > limit:
            raise ValueError(f"must be at most {limit} characters (got {len(raw)})")
        return raw

    return parse


def boolean(raw: str) -> bool:
    """true/false, yes/no, on/off, 1/0."""
    word = raw.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValueError(f"must be true or false (got {raw!r})")


def integer(low: int, high: int) -> Parser:
    """A whole number in `low..high`."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"must be a whole number {low}..{high} (got {raw!r})") from None
        if not low <= value <= high:
            raise ValueError(f"must be {low}..{high} (got {value})")
        return value

    return parse


def url(schemes: tuple[str, ...] = ("http", "https"), *, allow_empty: bool = True) -> Parser:
    """A URL with one of `schemes` ("" clears it when `allow_empty`)."""

    def parse(raw: str) -> str:
        value = raw.strip()
        if not value and allow_empty:
            return ""
        parts = urllib.parse.urlsplit(value)
        if parts.scheme.lower() not in schemes or not parts.netloc:
            wanted = " or ".join(f"{s}://" for s in schemes)
            raise ValueError(f"must be a URL starting with {wanted} (got {raw!r})")
        return value

    return parse


def ip_address(raw: str) -> str:
    """An IPv4 or IPv6 address such as 0.0.0.0 or ::."""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        raise ValueError(f"must be an IP address such as 0.0.0.0 or :: (got {raw!r})") from None


def choice(options: tuple[str, ...]) -> Parser:
    """One of `options` (the server lists them, e.g. the encoders it knows)."""

    def parse(raw: str) -> str:
        if options and raw.strip() not in options:
            raise ValueError(f"must be one of {', '.join(options)} (got {raw!r})")
        return raw.strip()

    return parse


def account_name(raw: str) -> str:
    """A fediverse account name."""
    if not ACCOUNT.match(raw):
        raise ValueError(f"must be 1..64 letters, digits, '_', '-' or '.' (got {raw!r})")
    return raw


def string_list(raw: str) -> list[str]:
    """A JSON array of strings, or comma-separated words; "" is the empty list."""
    value = raw.strip()
    if value.startswith("["):
        items = _json(raw)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError('must be a JSON array of strings, e.g. \'["music", "live"]\'')
        return items
    return [part.strip() for part in value.split(",") if part.strip()]


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at column {exc.colno})") from None


def json_objects(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Parser:
    """A JSON array of objects with the `required` string fields (and `optional` ones)."""

    def parse(raw: str) -> list[dict[str, Any]]:
        items = _json(raw) if raw.strip() else []
        example = "{" + ", ".join(f'"{k}": "…"' for k in required) + "}"
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError(f"must be a JSON array of objects like [{example}]")
        for n, item in enumerate(items, 1):
            for name in required:
                if not isinstance(item.get(name), str) or not item[name].strip():
                    raise ValueError(f"item {n}: {name!r} is required (a non-empty string)")
            unknown = set(item) - set(required) - set(optional)
            if unknown:
                known = ", ".join(required + optional)
                raise ValueError(f"item {n}: unknown field {sorted(unknown)[0]!r} (known: {known})")
        return items

    return parse


def string_map(raw: str) -> dict[str, str]:
    """A JSON object of strings, e.g. '{"--theme-color-palette-0": "#2086e1"}'."""
    value = _json(raw) if raw.strip() else {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError('must be a JSON object of strings, e.g. \'{"--theme-color": "#2086e1"}\'')
    return value


def stream_keys(raw: str) -> list[dict[str, Any]]:
    """`[{"key": "…", "comment": "…"}]`: at least one key, distinct, no whitespace."""
    keys: list[dict[str, Any]] = json_objects(("key",), ("comment",))(raw)
    if not keys:
        raise ValueError("must keep at least one stream key")
    seen: set[str] = set()
    for n, item in enumerate(keys, 1):
        if not STREAM_KEY.match(item["key"]):
            raise ValueError(f"item {n}: a stream key cannot contain spaces")
        if item["key"] in seen:
            raise ValueError(f"item {n}: the same key appears twice")
        seen.add(item["key"])
    return keys


def variants(items: Mapping[str, Mapping[str, Any]]) -> Parser:
    """Owncast `StreamOutputVariant` objects (camelCase fields), at least one; `items` is the
    field list the server gives for the key (`{"framerate": {"type": "integer", "min": 1, …}}`)."""

    def parse(raw: str) -> list[dict[str, Any]]:
        entries = _json(raw)
        shaped = isinstance(entries, list) and all(isinstance(i, dict) for i in entries)
        if not shaped or not entries:
            raise ValueError(
                'must be a non-empty JSON array of variants, e.g. [{"videoBitrate": 1200, '
                '"framerate": 24, "cpuUsageLevel": 2}]'
            )
        for n, entry in enumerate(entries, 1):
            for name, value in entry.items():
                _check_item(f"variant {n}", items, name, value)
        return list(entries)

    return parse


def _check_item(where: str, items: Mapping[str, Mapping[str, Any]], name: str, value: Any) -> None:
    spec = items.get(name)
    if spec is None:
        raise ValueError(f"{where}: unknown field {name!r} (known: {', '.join(items)})")
    kind = ITEM_TYPES.get(str(spec.get("type")), object)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{where}: {name} must be a whole number (got {value!r})")
    if kind is not int and not isinstance(value, kind):
        raise ValueError(f"{where}: {name} must be a {kind.__name__} (got {value!r})")
    low, high = spec.get("min"), spec.get("max")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"{where}: {name} must be {low}..{high} (got {value})")


def image(raw: str) -> str:
    """An image file (sent as a data URI), or a data URI as is."""
    if raw.startswith("data:"):
        return raw
    path = Path(raw).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"must be an image file or a data: URI ({raw}: {exc.strerror})") from None
    kind = mimetypes.guess_type(path.name)[0] or ""
    if not kind.startswith("image/"):
        raise ValueError(f"must be an image file (.png, .jpg, .gif, .svg, .webp; got {path.name})")
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def describe(value: Any) -> str:
    """How a value is printed by `config get` (strings bare, everything else as JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)

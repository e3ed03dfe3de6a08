"""Value checks for configuration keys: each returns a problem message or None.

A check receives a value that already has the right kind (a str for string keys, an int for
integer keys, a list of tables for arrays of tables). Messages say what was expected and, for
values that are not secrets, what was found: ``must be 1..65535 (got 0)``.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from owncastd.config.settings import AUTOPLAY_MODES, KNOWN_CODECS

Check = Callable[[Any], str | None]

BCRYPT_HASH = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_KIND_NOUNS = {"str": "a string", "int": "an integer", "bool": "true or false"}


def describe(value: Any, *, secret: bool = False) -> str:
    """How a value appears in a message: TOML-like, shortened; only its type when secret."""
    if isinstance(value, bool):
        return "a boolean" if secret else str(value).lower()
    if isinstance(value, int | float):
        return ("an integer" if isinstance(value, int) else "a float") if secret else repr(value)
    if isinstance(value, str):
        if secret:
            return "a string"
        text = value if len(value) <= 40 else value[:37] + "…"
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date" if secret else str(value)


def kind_problem(kind: str, value: Any, *, secret: bool = False) -> str | None:
    """The message when `value` is not a TOML `kind` ("str", "int" or "bool")."""
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[kind]
    if ok:
        return None
    return f"must be {_KIND_NOUNS[kind]} (got {describe(value, secret=secret)})"


def all_of(*checks: Check) -> Check:
    """The first problem found by `checks`, in order."""

    def check(value: Any) -> str | None:
        for one in checks:
            if message := one(value):
                return message
        return None

    return check


def non_empty(value: str) -> str | None:
    """A string that is not empty or blank."""
    return None if value.strip() else "must not be empty"


def max_len(limit: int) -> Check:
    """A string of at most `limit` characters."""

    def check(value: str) -> str | None:
        if len(value) <= limit:
            return None
        return f"must be at most {limit} characters (got {len(value)})"

    return check


@dataclass(frozen=True)
class IntRange:
    """An integer in `low..high` inclusive (the bounds are data, so clients can be told them)."""

    low: int
    high: int

    def __call__(self, value: int) -> str | None:
        low, high = self.low, self.high
        return None if low <= value <= high else f"must be {low}..{high} (got {value})"


def int_range(low: int, high: int) -> IntRange:
    """An integer in `low..high` inclusive."""
    return IntRange(low, high)


def url(schemes: tuple[str, ...], *, required: bool = False, secret: bool = False) -> Check:
    """A URL with one of `schemes` and a host; "" is allowed unless `required`."""
    names = "http(s)" if schemes == ("http", "https") else "/".join(schemes)
    article = "an" if names.startswith("http") else "a"

    def check(value: str) -> str | None:
        if value == "" and not required:
            return None
        try:
            parts = urllib.parse.urlsplit(value)
            valid = parts.scheme.lower() in schemes and bool(parts.hostname)
            _ = parts.port  # raises ValueError for a bad port
        except ValueError:
            valid = False
        if valid:
            return None
        shown = "" if secret else f" (got {describe(value)})"
        return f"must be {article} {names} URL{shown}"

    return check


def http_url(*, required: bool = False, secret: bool = False) -> Check:
    """An http:// or https:// URL with a host."""
    return url(("http", "https"), required=required, secret=secret)


def icon_ref(value: str) -> str | None:
    """An icon: "" (none), a /path on this server or an http(s) URL."""
    if value == "" or (value.startswith("/") and not value.startswith("//")):
        return None
    return (
        None
        if http_url()(value) is None
        else f"must be a /path or an http(s) URL (got {describe(value)})"
    )


def ip_address(value: str) -> str | None:
    """An IPv4 or IPv6 address such as 0.0.0.0 or ::."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return f"must be an IP address (got {describe(value)})"
    return None


def ip_network(value: str) -> str | None:
    """An IP address or a CIDR network such as 10.0.0.0/8."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"must be an IP address or network (got {describe(value)})"
    return None


def bcrypt_hash(value: str) -> str | None:
    """ "" (no password yet) or a bcrypt hash; the value itself is never shown."""
    if value == "" or BCRYPT_HASH.match(value):
        return None
    return "must be a bcrypt hash ($2a$, $2b$ or $2y$); use --adminpassword to set a password"


def codec(value: str) -> str | None:
    """One of the H.264 encoders Owncast knows."""
    if value in KNOWN_CODECS:
        return None
    return f"must be one of {', '.join(KNOWN_CODECS)} (got {describe(value)})"


def autoplay(value: str) -> str | None:
    """One of Owncast's autoplay modes."""
    if value in AUTOPLAY_MODES:
        return None
    return f"must be one of {', '.join(AUTOPLAY_MODES)} (got {describe(value)})"


def account_name(value: str) -> str | None:
    """A fediverse account name: letters, digits, _ - . (1..64)."""
    if ACCOUNT_NAME.match(value):
        return None
    return f'must be 1..64 letters, digits, "_", "-" or "." (got {describe(value)})'


def stream_key(value: str) -> str | None:
    """A stream key: non-empty, no whitespace, at most 256 characters; never echoed."""
    if not value:
        return "must not be empty"
    if any(c.isspace() for c in value):
        return "must not contain whitespace"
    if len(value) > 256:
        return "must be at most 256 characters"
    return None


def distinct_keys(entries: list[dict[str, Any]]) -> str | None:
    """Stream key entries whose keys are all different."""
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        key = str(entry.get("key"))
        if key in seen:
            return f"entries {seen[key]} and {i} have the same key"
        seen[key] = i
    return None


def at_least_one_variant(entries: list[dict[str, Any]]) -> str | None:
    """A non-empty list of output variants."""
    return None if entries else "must have at least one variant"

"""The JSON shapes an admin setter takes in `{"value": …}`, as data.

The settings table (:mod:`owncastd.config.table`) names one of these for each key with a setter;
the admin setters (`owncastd.http.admin.setters`) turn them into converters, and
`GET /api/admin/config/keys` shows their type names so `owncastctl` can parse a typed value
client-side. A :class:`Custom` body is converted by a named function in the admin setters
(stream keys, variants, the logo …).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_MARKDOWN = 64 * 1024
MAX_CODE = 256 * 1024
MAX_LIST = 200


@dataclass(frozen=True)
class Text:
    """A JSON string; control characters refused (line breaks too unless `multiline`)."""

    max_len: int = 255
    multiline: bool = False

    @property
    def type_name(self) -> str:
        return "markdown" if self.multiline else "text"


@dataclass(frozen=True)
class Flag:
    """A JSON boolean."""

    type_name: str = "bool"


@dataclass(frozen=True)
class Int:
    """A whole JSON number in `low..high`."""

    low: int
    high: int

    @property
    def type_name(self) -> str:
        return "integer"


@dataclass(frozen=True)
class Url:
    """A URL with one of `schemes` and a host ("" clears it)."""

    schemes: tuple[str, ...] = ("http", "https")

    @property
    def type_name(self) -> str:
        return "url"


@dataclass(frozen=True)
class Ip:
    """An IPv4 or IPv6 address."""

    type_name: str = "ip address"


@dataclass(frozen=True)
class Strings:
    """A JSON array of single-line strings."""

    max_len: int = 255
    max_items: int = MAX_LIST
    type_name: str = "list"


@dataclass(frozen=True)
class Custom:
    """A shape with its own converter in the admin setters; `type_name` tells clients how to
    type it (e.g. "variants", "stream keys", "image")."""

    type_name: str
    choices: tuple[str, ...] = ()


Body = Text | Flag | Int | Url | Ip | Strings | Custom

"""The keys behind `owncastctl config`, as the daemon describes them.

owncastd's `GET /api/admin/config/keys` lists every key of ``owncast.toml`` (``server.name``,
``video.latency_level`` …) with its type name, bounds, the admin setter
``POST /api/admin/config/<setter>`` (and the field inside an object setter such as ``s3``), the
place of its value in ``/api/admin/serverconfig``, when a change applies and whether it is a
secret. owncastctl keeps no copy of that table: it only parses a command-line value by the type
name the server gives (:mod:`owncastctl.config_values`). Owncast's setter names
(``video/streamlatencylevel``) and a few short aliases are accepted too.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from owncastctl import config_values as v
from owncastctl.errors import CtlUsageError, ServerRefusedError

# Short names for keys, typed often.
SHORT = {
    "video.latency": "video.latency_level",
    "title": "server.stream_title",
    "server.title": "server.stream_title",
    "stream_title": "server.stream_title",
}
# The password has its own command.
REDIRECTS = {
    "admin.password": "use `owncastctl password set`",
    "admin.password_hash": "use `owncastctl password set`",
    "adminpass": "use `owncastctl password set`",
}
HANDLES = v.json_objects(("platform", "url"), ("icon",))
ACTIONS = v.json_objects(
    ("url", "title"), ("description", "icon", "color", "openExternally", "html")
)


@dataclass(frozen=True)
class Key:
    """One key as the daemon describes it."""

    name: str
    type: str
    setter: str = ""
    field: str = ""  # the field inside an object setter
    read: str = ""  # dotted path in /api/admin/serverconfig ("" when the server does not report it)
    applies: str = "now"
    secret: bool = False  # redacted in `config show`
    supported: bool = True
    feature: str = ""
    doc: str = ""
    bounds: Mapping[str, Any] | None = None

    @property
    def restart(self) -> bool:
        """True when a change applies after a daemon restart."""
        return self.applies == "restart"


def from_server(rows: Any) -> tuple[Key, ...]:
    """The keys in the answer of `GET /api/admin/config/keys`."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "key" in r for r in rows):
        raise ServerRefusedError("the server's key list is not what owncastctl expects")
    bound_names = ("min", "max", "maxLength", "schemes", "choices", "items")
    return tuple(
        Key(
            name=str(row["key"]),
            type=str(row.get("type", "text")),
            setter=str(row.get("setter") or ""),
            field=str(row.get("field") or ""),
            read=str(row.get("shown") or ""),
            applies=str(row.get("applies", "now")),
            secret=bool(row.get("secret")),
            supported=bool(row.get("supported", True)),
            feature=str(row.get("feature") or ""),
            doc=str(row.get("doc") or ""),
            bounds={name: row[name] for name in bound_names if name in row},
        )
        for row in rows
    )


def lookup(name: str, keys: tuple[Key, ...]) -> Key:
    """The settable key called `name` (an alias or Owncast setter name works too)."""
    if name in REDIRECTS:
        raise CtlUsageError(
            f"{name} is not a `config` key (it is never shown): {REDIRECTS[name]} to change it"
        )
    by_name = {key.name: key for key in keys if key.setter}
    aliases = {**{k.setter: k.name for k in by_name.values() if not k.field}, **SHORT}
    key = by_name.get(aliases.get(name, name))
    file_only = next((k for k in keys if k.name == name and not k.setter), None)
    if key is None and file_only is not None:
        section, _, leaf = name.rpartition(".")
        raise CtlUsageError(
            f"{name} has no admin setter: it is set only in owncast.toml"
            f" ([{section}] {leaf} = …), then `owncastctl config reload`"
        )
    if key is None:
        close = difflib.get_close_matches(name, [*by_name, *aliases], n=1, cutoff=0.5)
        hint = f' (did you mean "{aliases.get(close[0], close[0])}"?)' if close else ""
        raise CtlUsageError(f"unknown key {name!r}{hint}; `owncastctl config keys` lists them")
    return key


def parser(key: Key) -> v.Parser:
    """How to read a command-line value of `key`, from its type name and bounds."""
    bounds = key.bounds or {}
    by_type: dict[str, Callable[[], v.Parser]] = {
        "text": lambda: v.text(bounds.get("maxLength")),
        "markdown": lambda: v.text(bounds.get("maxLength")),
        "bool": lambda: v.boolean,
        "integer": lambda: v.integer(int(bounds.get("min", 0)), int(bounds.get("max", 2**31))),
        "url": lambda: v.url(tuple(bounds.get("schemes", ("http", "https")))),
        "ip address": lambda: v.ip_address,
        "list": lambda: v.string_list,
        "string map": lambda: v.string_map,
        "image": lambda: v.image,
        "social handles": lambda: HANDLES,
        "external actions": lambda: ACTIONS,
        "stream keys": lambda: v.stream_keys,
        "variants": lambda: v.variants(bounds.get("items", {})),
        "codec": lambda: v.choice(tuple(bounds.get("choices", ()))),
        "account name": lambda: v.account_name,
    }
    make = by_type.get(key.type)
    if make is None and bounds.get("choices"):  # e.g. server.autoplay: off, always, sound-only
        return v.choice(tuple(bounds["choices"]))
    return make() if make is not None else v.text()


def parse_value(key: Key, raw: str) -> Any:
    """The value to send for `key`, parsed from the command line."""
    try:
        return parser(key)(raw)
    except ValueError as exc:
        raise CtlUsageError(f"{key.name} {exc}") from None


def read_path(config: Any, path: str) -> tuple[bool, Any]:
    """`(found, value)` of a dotted `path` in the server config."""
    node = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def current(config: Any, key: Key) -> tuple[bool, Any]:
    """`(found, value)` of `key` in `/api/admin/serverconfig`."""
    return read_path(config, key.read) if key.read else (False, None)


def object_value(config: Any, key: Key, value: Any) -> dict[str, Any]:
    """The whole object to send for a field key: the current object with one field changed."""
    parent = key.read.rsplit(".", 1)[0]
    found, whole = read_path(config, parent)
    body = dict(whole) if found and isinstance(whole, dict) else {}
    body[key.field] = value
    return body

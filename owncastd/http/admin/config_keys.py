"""`GET /api/admin/config/keys`: the settings table as JSON, for `owncastctl config` and scripts.

One object per key of `owncast.toml`: `{key, type, default, applies, secret, setter, field,
shown, doc, supported, feature}` plus the bounds a client needs to parse a typed value before
sending it (`min`/`max`, `maxLength`, `schemes`, `choices`; for arrays of tables, `items`: each
field's JSON name, type and bounds). `type` names the JSON shape the
admin setter takes ("text", "bool", "integer", "url", "variants" …; the file's kind for keys
without a setter). A secret's default is never shown (null), and no current value is.
"""

from __future__ import annotations

from typing import Any

from owncastd.config import bodies
from owncastd.config.checks import IntRange
from owncastd.config.schema import FIELDS, FieldSpec
from owncastd.config.table import TABLE, Setting
from owncastd.http.admin.serverconfig import camel

FILE_TYPES = {
    "str": "text",
    "int": "integer",
    "bool": "bool",
    "str_list": "list",
    "str_map": "string map",
    "table_list": "tables",
}


def _bounds(body: bodies.Body | None) -> dict[str, Any]:
    if isinstance(body, bodies.Int):
        return {"min": body.low, "max": body.high}
    if isinstance(body, bodies.Text | bodies.Strings):
        return {"maxLength": body.max_len}
    if isinstance(body, bodies.Url):
        return {"schemes": list(body.schemes)}
    if isinstance(body, bodies.Custom) and body.choices:
        return {"choices": list(body.choices)}
    return {}


def _items(spec: FieldSpec) -> dict[str, Any]:
    """For an array of tables: each field's JSON name, type and bounds."""
    if spec.kind != "table_list":
        return {}
    items = {}
    for sub in spec.items:
        check = sub.check
        bounds = {"min": check.low, "max": check.high} if isinstance(check, IntRange) else {}
        items[camel(sub.name)] = {"type": FILE_TYPES[sub.kind], **bounds}
    return {"items": items}


def key_json(setting: Setting, spec: FieldSpec) -> dict[str, Any]:
    """One key as shown by the route."""
    body = setting.body
    return {
        "key": setting.path,
        "type": body.type_name if body is not None else FILE_TYPES[spec.kind],
        "default": None if setting.secret else spec.default,
        "applies": setting.applies,
        "secret": setting.secret,
        "setter": setting.setter,
        "field": setting.field,
        "shown": setting.shown,
        "doc": setting.doc,
        "supported": not setting.feature,
        "feature": setting.feature,
        **_bounds(body),
        **_items(spec),
    }


def keys_payload(table: tuple[Setting, ...] = TABLE) -> list[dict[str, Any]]:
    """Every top-level key of the file (items of arrays of tables are part of their array)."""
    return [key_json(s, FIELDS[s.path]) for s in table if s.path in FIELDS]

"""Owncast's admin config setters (reference §1.5), generated from the settings table.

Each :class:`Setter` names its path under `/api/admin/config/` and converts the JSON `value`
into dotted settings changes for :class:`owncastd.config.editor.ConfigEditor`, or raises
:class:`BadRequestError` saying what was wrong. A setter whose keys share a whole-value body
(`name`, `video/streamlatencylevel`…) checks it against that body; an object setter (`s3`,
`notifications/discord`) checks each field of the object against its key's body, a missing
field taking Go's zero value; a `Custom` body uses the converter of the same name in
:mod:`owncastd.http.admin.setter_custom`. A setter whose feature does not exist yet carries the
feature name and is refused by the route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from owncastd.config import bodies
from owncastd.config.table import SETTER_SUMMARIES, TABLE, Applies, Setting, setters
from owncastd.http.admin.setter_custom import CUSTOM
from owncastd.http.admin.setter_values import (
    Changes,
    Converter,
    SetterEnv,
    body_value,
    field_of,
    obj,
    zero,
)

__all__ = ["SETTERS", "Applies", "Changes", "Converter", "Setter", "SetterEnv", "build_setters"]


@dataclass(frozen=True)
class Setter:
    """One `POST /api/admin/config/<name>` endpoint."""

    name: str
    summary: str
    convert: Converter
    applies: Applies = "now"
    feature: str = ""  # non-empty while the feature does not exist: the route refuses


def _sync(fn: Callable[[Any], Changes]) -> Converter:
    async def convert(value: Any, _env: SetterEnv) -> Changes:
        return fn(value)

    return convert


def _whole(key: Setting) -> Converter:
    assert key.body is not None
    body, name = key.body, key.setter
    return _sync(lambda value: {key.path: body_value(body, value, name)})


def _object(name: str, keys: tuple[Setting, ...]) -> Converter:
    def convert(value: Any) -> Changes:
        entry = obj(value, name)
        changes: Changes = {}
        for key in keys:
            assert key.body is not None
            raw = field_of(entry, key.field, zero(key.body))
            changes[key.path] = body_value(key.body, raw, f"{name}.{key.field}")
        return changes

    return _sync(convert)


def converter(name: str, keys: tuple[Setting, ...]) -> Converter:
    """The converter of setter `name`, which sets `keys`."""
    if any(isinstance(key.body, bodies.Custom) for key in keys):
        return CUSTOM[name]
    if keys[0].field:
        return _object(name, keys)
    return _whole(keys[0])


def build_setters(table: tuple[Setting, ...] = TABLE) -> tuple[Setter, ...]:
    """One :class:`Setter` per admin setter named in `table`."""
    return tuple(
        Setter(
            name,
            SETTER_SUMMARIES.get(name, keys[0].doc),
            converter(name, keys),
            keys[0].applies,
            keys[0].feature,
        )
        for name, keys in setters(table).items()
    )


SETTERS: tuple[Setter, ...] = build_setters()

"""Comment-preserving edits of `owncast.toml` with tomlkit, written atomically.

:func:`update_config` changes keys in place: existing keys keep their comments and position,
new keys go after the last plain key of their section (not after comments that introduce the
next section), arrays of tables are edited table by table. The result is validated with the same
checks as the loader and must round-trip through tomllib before anything is written; then a
temp file in the same directory is fsynced and renamed over the original (mode 0600).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Comment, InlineTable, Item, Table, Whitespace

from owncastd.config.schema import (
    FIELDS,
    FieldSpec,
    check_cross,
    check_document,
    format_problems,
    suggest,
    to_file_value,
)
from owncastd.errors import ConfigError

logger = logging.getLogger(__name__)
FILE_MODE = 0o600


def update_config(path: Path, changes: Mapping[str, object]) -> None:
    """Set dotted keys (``"server.name"``, ``"video.variants"``, ``"s3"`` …) in the file.

    Values may be in file shape (lists, dicts) or settings shape (tuples, dataclasses). A
    section name with a mapping sets several keys of it. Raises ConfigError (and writes nothing)
    when a key is unknown or the edited file would not validate. Blocking: call it from a worker
    thread in trio code, one update at a time.
    """
    source = path.name
    doc = parse_document(path.read_bytes().decode("utf-8"), source)
    unknown: list[str] = []
    for dotted, value in _expand(changes):
        spec = FIELDS.get(dotted)
        if spec is None:
            unknown.append(f"{source}: {dotted}: unknown setting" + suggest(dotted, FIELDS))
        else:
            _apply(doc, spec, to_file_value(spec.kind, value))
    if unknown:
        raise ConfigError(unknown)
    data = doc.unwrap()
    located = check_document(data) + check_cross(data)
    if located:
        raise ConfigError(format_problems(source, located))
    text = tomlkit.dumps(doc)
    if tomllib.loads(text) != data:  # a tomlkit layout bug must never corrupt the file
        raise ConfigError([f"{source}: the edited file does not read back the same; not written"])
    write_atomic(path, text)
    logger.info("config updated path=%s keys=%s", path, ",".join(sorted(_keys(changes))))


def parse_document(text: str, source: str) -> tomlkit.TOMLDocument:
    """`text` as a tomlkit document; a syntax error becomes a ConfigError with line/column."""
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        message = str(exc).split(" at line ")[0]
        raise ConfigError(
            [f"{source}: line {exc.line}, column {exc.col}: invalid TOML: {message}"]
        ) from None


def write_atomic(path: Path, text: str, *, mode: int = FILE_MODE) -> None:
    """Replace `path` with `text`: temp file in the same directory, fsync, rename, fsync dir."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _keys(changes: Mapping[str, object]) -> Iterator[str]:
    for dotted, _ in _expand(changes):
        yield dotted


def _expand(changes: Mapping[str, object]) -> Iterator[tuple[str, object]]:
    for dotted, value in changes.items():
        is_section = any(name.startswith(dotted + ".") for name in FIELDS)
        if dotted not in FIELDS and is_section and isinstance(value, Mapping):
            yield from _expand({f"{dotted}.{k}": v for k, v in value.items()})
        else:
            yield dotted, value


def _section(doc: tomlkit.TOMLDocument, dotted: str) -> Any:
    """The table for a dotted section, created (at the end of the file) when missing."""
    node: Any = doc
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if part not in node:
            node.append(part, tomlkit.table(is_super_table=i < len(parts) - 1))
        node = node[part]
    return node


def _apply(doc: tomlkit.TOMLDocument, spec: FieldSpec, value: Any) -> None:
    table = _section(doc, spec.section)
    existing = table.get(spec.name) if spec.name in table else None
    if spec.kind == "str_map" and isinstance(existing, Table) and isinstance(value, dict):
        _sync_table(existing, value)
    elif spec.kind == "table_list" and isinstance(existing, AoT) and value:
        _sync_aot(existing, value)
    elif existing is not None:
        table[spec.name] = _item(value, like=existing)
    else:
        _insert(table, spec.name, _item(value))


def _item(value: Any, like: Any = None) -> Item:
    """A tomlkit item for a file-shape value; arrays of tables become inline tables."""
    if isinstance(value, str):
        # TOML readers may turn a multi-line string's CRLF into LF: text with a CR is escaped.
        return tomlkit.string(value, multiline="\n" in value and "\r" not in value)
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update({k: _item(v) for k, v in value.items()})
        return inline
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_item(v) for v in value)
        was_multiline = like is not None and "\n" in like.as_string()
        if value and (was_multiline or isinstance(value[0], dict)):
            array.multiline(True)
        return array
    item: Item = tomlkit.item(value)
    return item


def _plain_keys_end(table: Table | InlineTable) -> int:
    """Where a new plain key goes: after the last plain key, else after the leading comments."""
    body = table.value.body
    last = max(
        (i for i, (k, v) in enumerate(body) if k is not None and not isinstance(v, Table | AoT)),
        default=None,
    )
    if last is not None:
        return last + 1
    leading = 0
    while leading < len(body) and isinstance(body[leading][1], Comment):
        leading += 1
    return leading


def _insert(table: Any, key: str, item: Item) -> None:
    if not isinstance(table, Table):  # an inline table or a table split across the file
        table[key] = item
        return
    index = _plain_keys_end(table)
    if index < len(table.value.body):
        table.value._insert_at(index, key, item)  # tomlkit has no public positional insert
    else:
        table.append(key, item)


def _sync_table(table: Table, values: Mapping[str, Any]) -> None:
    """Make `table` hold exactly `values`, editing existing keys in place."""
    for key in [k for k in table if k not in values]:
        del table[key]
    for key, value in values.items():
        if key in table:
            table[key] = _item(value, like=table[key])
        else:
            _insert(table, key, _item(value))


def _sync_aot(aot: AoT, entries: list[dict[str, Any]]) -> None:
    """Edit an array of tables entry by entry, keeping each kept table's comments."""
    for i, entry in enumerate(entries):
        if i < len(aot.body):
            _sync_table(aot.body[i], entry)
            continue
        new = tomlkit.table()
        for key, value in entry.items():
            new.append(key, _item(value))
        previous = aot.body[-1]
        _move_trailing(previous, new)
        previous.value.body.append((None, Whitespace("\n")))
        aot.append(new)
    while len(aot.body) > len(entries):
        last = aot.body[-1]
        _move_trailing(last, aot.body[-2])
        del aot[len(aot.body) - 1]


def _move_trailing(source: Table, target: Table) -> None:
    """Move the blank lines/comments that end `source` (they precede the next header)."""
    body = source.value.body
    trailing: list[tuple[None, Item]] = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace | Comment):
        trailing.insert(0, (None, body.pop()[1]))
    target_body = target.value.body
    while target_body and target_body[-1][0] is None and isinstance(target_body[-1][1], Whitespace):
        target_body.pop()
    target_body.extend(trailing)

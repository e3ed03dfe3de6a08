"""The effective configuration as TOML text for `owncastd check-config`, secrets redacted.

Keys the settings table marks secret (the admin password hash, the S3 secret, the Discord
webhook), every stream key (shown as ``"<redacted> (comment)"``) and a temporary stream key never
appear; the resolved paths do.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.items import Item

from owncastd.config.schema import FIELDS, settings_to_mapping
from owncastd.config.settings import Settings

REDACTED = "<redacted>"
HEADER = (
    "Effective configuration: defaults < config file < OWNCAST_* env < flags.",
    "Secrets are redacted; this is not a file to load.",
)


def render_effective(settings: Settings) -> str:
    """`settings` as TOML text with secrets redacted and paths resolved."""
    data = settings_to_mapping(settings)
    for spec in FIELDS.values():  # the settings table says which keys are secrets
        if spec.secret and spec.kind == "str":
            _redact(_table_at(data, spec.section), spec.name)
    rtmp = data["rtmp"]
    rtmp["stream_keys"] = [
        f"{REDACTED} ({key.comment})" if key.comment else REDACTED
        for key in settings.rtmp.stream_keys
    ]
    if settings.temporary_stream_key:
        rtmp["temporary_stream_key"] = REDACTED
    paths = settings.paths
    data["paths"] = {
        "data_dir": paths.data_dir,
        "database": paths.database,
        "log_dir": paths.log_dir,
        "backup_dir": paths.backup_dir,
    }
    doc = tomlkit.document()
    for line in HEADER:
        doc.add(tomlkit.comment(line))
    for name, section in data.items():
        doc.add(tomlkit.nl())
        doc.append(name, _table(section))
    return tomlkit.dumps(doc)


def _table_at(data: dict[str, Any], section: str) -> dict[str, Any]:
    table = data
    for part in section.split("."):
        table = table[part]
    return table


def _redact(table: dict[str, Any], key: str) -> None:
    if table[key]:
        table[key] = REDACTED


def _table(values: dict[str, Any]) -> Any:
    has_plain = any(not isinstance(v, dict) for v in values.values())
    table = tomlkit.table(is_super_table=not has_plain)
    for key, value in values.items():
        table.append(
            key,
            _table(value)
            if isinstance(value, dict) and key != "appearance_variables"
            else _item(value),
        )
    return table


def _item(value: Any) -> Item:
    if isinstance(value, str):
        return tomlkit.string(value, multiline="\n" in value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        aot = tomlkit.aot()
        for entry in value:
            table = tomlkit.table()
            for key, sub in entry.items():
                table.append(key, _item(sub))
            aot.append(table)
        return aot
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    item: Item = tomlkit.item(value)
    return item

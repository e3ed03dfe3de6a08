"""`GET /api/admin/serverconfig` (reference §1.6), generated from the settings table.

Every key with a `shown` place is put there in Owncast's JSON shape: arrays of tables get
camelCase field names (`video_passthrough` → `videoPassthrough`), tables of strings stay as they
are. A few fields are not keys of the file (the supported codecs, whether a temporary stream key
overrides the configured ones) and are added here. Admin only: it holds the keys and secrets.
"""

from __future__ import annotations

from typing import Any

from owncastd.config.schema import FIELDS, settings_to_mapping
from owncastd.config.settings import Settings, VideoVariant
from owncastd.config.table import TABLE, Setting

DEFAULT_LOGO_NAME = "logo.svg"


def camel(name: str) -> str:
    """`open_externally` → `openExternally`."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def variant_settings_json(variant: VideoVariant) -> dict[str, object]:
    """A variant as stored (the name as set, "" when generated), Owncast's field names."""
    return {camel(name): value for name, value in vars(variant).items()}


def _file_value(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _json(path: str, value: Any) -> Any:
    spec = FIELDS.get(path)
    if spec is not None and spec.kind == "table_list":
        return [{camel(k): v for k, v in entry.items()} for entry in value]
    return value


def _place(out: dict[str, Any], shown: str, value: Any) -> None:
    *parents, last = shown.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def server_config_payload(
    settings: Settings,
    supported_codecs: tuple[str, ...],
    table: tuple[Setting, ...] = TABLE,
) -> dict[str, Any]:
    """Owncast's `serverconfig` document for `settings`."""
    data = settings_to_mapping(settings)
    out: dict[str, Any] = {}
    for key in table:
        if key.shown:
            _place(out, key.shown, _json(key.path, _file_value(data, key.path)))
    details = out["instanceDetails"]
    details["logo"] = details["logo"] or DEFAULT_LOGO_NAME
    # Owncast's social handle fields are omitempty: no `"icon": ""` for a handle without one.
    details["socialHandles"] = [
        {k: v for k, v in handle.items() if v != ""} for handle in details["socialHandles"]
    ]
    out["streamKeyOverridden"] = bool(settings.temporary_stream_key)
    out["supportedCodecs"] = list(supported_codecs)
    return out

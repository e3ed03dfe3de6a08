"""The shape of `owncast.toml`: every section and key, its kind, default and checks.

The field table joins the typed dataclasses of :mod:`owncastd.config.settings` (type, default)
with the settings table of :mod:`owncastd.config.table` (check, secret, setter, doc): every field
must have a table entry. :func:`check_document` walks a parsed file and returns every problem as
a ``(location, message)`` pair; the loader turns them into lines such as
``owncast.toml: [rtmp] port: must be 1..65535 (got 0)``. Values in "file shape" are what TOML
holds: strings, ints, bools, lists of strings, tables of strings and lists of tables.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

from owncastd.config import checks as checks
from owncastd.config.checks_s3 import canned_acl
from owncastd.config.settings import (
    AdminSettings,
    BrowserPushSettings,
    ChatSettings,
    ChatwootSettings,
    ClusterSettings,
    DirectorySettings,
    DiscordSettings,
    FederationSettings,
    NotificationSettings,
    PathSettings,
    ReplaySettings,
    RtmpSettings,
    S3Settings,
    ScheduleSettings,
    ServerSettings,
    Settings,
    VideoSettings,
    WebSettings,
)
from owncastd.config.table import BY_PATH, Setting
from owncastd.config.table_chatwoot import chatwoot_cross
from owncastd.config.table_cluster import cluster_cross
from owncastd.errors import ConfigError

Kind = Literal["str", "int", "bool", "str_list", "str_map", "table_list"]
Check = Callable[[Any], str | None]
Located = tuple[str, str]  # (location such as "[rtmp] port", message)

# TOML section → the settings dataclass it fills. "logging" is special: one key, `verbose`.
SECTION_TYPES: dict[str, type] = {
    "server": ServerSettings,
    "admin": AdminSettings,
    "web": WebSettings,
    "rtmp": RtmpSettings,
    "video": VideoSettings,
    "chat": ChatSettings,
    "s3": S3Settings,
    "directory": DirectorySettings,
    "schedule": ScheduleSettings,
    "chatwoot": ChatwootSettings,
    "replays": ReplaySettings,
    "cluster": ClusterSettings,
    "federation": FederationSettings,
    "notifications.discord": DiscordSettings,
    "notifications.browser": BrowserPushSettings,
    "paths": PathSettings,
}
# Dataclass fields that are deliberately not keys of the file, with where they come from.
NOT_IN_FILE: dict[str, str] = {
    "paths.data_dir": "set it with --data-dir or OWNCAST_DATA_DIR",
    "data_dir": "set it with --data-dir or OWNCAST_DATA_DIR",
    "temporary_stream_key": "use --streamkey or OWNCAST_STREAM_KEY",
    "verbose_logging": "use [logging] verbose",
}


@dataclass(frozen=True)
class FieldSpec:
    """One key of the file: where it lives, its kind, its default (file shape) and its check."""

    section: str
    name: str
    kind: Kind
    default: Any
    items: tuple[FieldSpec, ...] = ()
    item_type: type | None = None
    required: bool = False

    @property
    def dotted(self) -> str:
        """`section.name`, e.g. ``notifications.discord.webhook``."""
        return f"{self.section}.{self.name}"

    @property
    def setting(self) -> Setting:
        """The key's entry in the settings table."""
        return BY_PATH[self.dotted]

    @property
    def secret(self) -> bool:
        """True when the value must never appear in messages or output."""
        return self.setting.secret

    @property
    def check(self) -> Check | None:
        """The extra check beyond the kind, if any."""
        return self.setting.check


def _kind_of(hint: Any) -> tuple[Kind, type | None]:
    if hint in (str, int, bool):
        return typing.cast(Kind, hint.__name__), None
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = args[0]
        if inner is str:
            return "str_list", None
        if typing.get_origin(inner) is tuple:
            return "str_map", None
        if dataclasses.is_dataclass(inner):
            return "table_list", typing.cast(type, inner)
    raise TypeError(f"settings field type {hint!r} has no TOML mapping")


def to_file_value(kind: Kind, value: Any) -> Any:
    """`value` (settings shape, file shape or dataclasses) in file shape for a `kind` key."""
    if kind == "str_map":
        pairs = value.items() if isinstance(value, Mapping) else value
        return {str(k): v for k, v in pairs}
    if kind == "table_list":
        return [_table_value(entry) for entry in value]
    if kind == "str_list" and isinstance(value, tuple | list):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    return value


def _table_value(entry: Any) -> Any:
    if dataclasses.is_dataclass(entry) and not isinstance(entry, type):
        return {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    return dict(entry) if isinstance(entry, Mapping) else entry


def _specs_for(section: str, cls: type) -> dict[str, FieldSpec]:
    hints = typing.get_type_hints(cls)
    specs: dict[str, FieldSpec] = {}
    for f in dataclasses.fields(cls):
        if f"{section}.{f.name}" in NOT_IN_FILE:
            continue
        if f"{section}.{f.name}" not in BY_PATH:
            raise TypeError(f"settings field {section}.{f.name} has no entry in the settings table")
        kind, item_type = _kind_of(hints[f.name])
        missing = f.default is dataclasses.MISSING
        default = None if missing else to_file_value(kind, f.default)
        items: tuple[FieldSpec, ...] = ()
        if item_type is not None:
            items = tuple(_specs_for(f"{section}.{f.name}", item_type).values())
        specs[f.name] = FieldSpec(section, f.name, kind, default, items, item_type, missing)
    return specs


SECTIONS: dict[str, dict[str, FieldSpec]] = {
    name: _specs_for(name, cls) for name, cls in SECTION_TYPES.items()
}
SECTIONS["logging"] = {"verbose": FieldSpec("logging", "verbose", "bool", False)}
FIELDS: dict[str, FieldSpec] = {
    spec.dotted: spec for section in SECTIONS.values() for spec in section.values()
}
# Top-level tables of the file; "notifications" only holds sub-tables.
TOP_LEVEL = tuple(dict.fromkeys(name.split(".")[0] for name in SECTIONS))


def suggest(name: str, candidates: typing.Iterable[str]) -> str:
    """` (did you mean "x"?)` when a candidate is close to `name`, else ""."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _key_loc(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else f'"{key}"'


def check_field(spec: FieldSpec, value: Any, loc: str | None = None) -> list[Located]:
    """Problems with one value (file shape) of `spec`; `loc` defaults to the key name."""
    loc = loc or spec.name
    got = checks.describe(value, secret=spec.secret)
    if spec.kind in ("str", "int", "bool"):
        message = checks.kind_problem(spec.kind, value, secret=spec.secret)
        if message is None and spec.check is not None:
            message = spec.check(value)
        return [(loc, message)] if message else []
    if spec.kind == "str_list":
        if not isinstance(value, list):
            return [(loc, f"must be an array of strings (got {got})")]
        problems: list[Located] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                problems.append((f"{loc}[{i}]", f"must be a string (got {checks.describe(item)})"))
            elif spec.check is not None and (message := spec.check(item)):
                problems.append((f"{loc}[{i}]", message))
        return problems
    if spec.kind == "str_map":
        if not isinstance(value, dict):
            return [(loc, f"must be a table of strings (got {got})")]
        return [
            (f"{loc}.{_key_loc(k)}", f"must be a string (got {checks.describe(v)})")
            for k, v in value.items()
            if not isinstance(v, str)
        ]
    if not isinstance(value, list):
        return [(loc, f"must be an array of tables (got {got})")]
    problems = []
    for i, entry in enumerate(value):
        problems += _check_entry(spec, entry, f"{loc}[{i}]")
    if not problems and spec.check is not None and (message := spec.check(value)):
        problems.append((loc, message))
    return problems


def _check_entry(spec: FieldSpec, entry: Any, loc: str) -> list[Located]:
    if not isinstance(entry, dict):
        secret = any(sub.secret for sub in spec.items)  # a bare string here may be a key
        return [(loc, f"must be a table (got {checks.describe(entry, secret=secret)})")]
    subs = {s.name: s for s in spec.items}
    problems = []
    for key, value in entry.items():
        sub = subs.get(key)
        if sub is None:
            problems.append((f"{loc}.{_key_loc(key)}", "unknown key" + suggest(key, subs)))
        else:
            problems += check_field(sub, value, f"{loc}.{key}")
    problems += [
        (f"{loc}.{s.name}", "missing") for s in spec.items if s.required and s.name not in entry
    ]
    return problems


def check_document(data: Mapping[str, Any]) -> list[Located]:
    """Every structural, type and range problem in a parsed file (file shape)."""
    problems = []
    for name, value in data.items():
        if name not in TOP_LEVEL:
            problems.append(_unknown_top_level(name, value))
        elif not isinstance(value, dict):
            problems.append((name, f"must be a table [{name}] (got {checks.describe(value)})"))
        elif name == "notifications":
            for sub, subvalue in value.items():
                section = f"notifications.{sub}"
                if section not in SECTIONS and not isinstance(subvalue, dict):
                    message = "unknown key (use [notifications.discord] or [notifications.browser])"
                    problems.append((f"[notifications] {_key_loc(sub)}", message))
                elif section not in SECTIONS:
                    hint = suggest(section, SECTIONS).replace('"', "")
                    problems.append((f"[{section}]", "unknown section" + _bracket(hint)))
                elif not isinstance(subvalue, dict):
                    got = checks.describe(subvalue)
                    problems.append((section, f"must be a table [{section}] (got {got})"))
                else:
                    problems += _check_section(section, subvalue)
        else:
            problems += _check_section(name, value)
    return problems


def _bracket(hint: str) -> str:
    # ' (did you mean web?)' → ' (did you mean [web]?)'
    return hint.replace("mean ", "mean [").replace("?)", "]?)") if hint else ""


def _unknown_top_level(name: str, value: Any) -> Located:
    if name in NOT_IN_FILE:
        return (name, f"not a key of the file ({NOT_IN_FILE[name]})")
    if isinstance(value, dict):
        hint = suggest(name, TOP_LEVEL).replace('"', "")
        return (f"[{name}]", "unknown section" + _bracket(hint))
    owners = [s for s, specs in SECTIONS.items() if name in specs]
    if owners:
        return (name, f"unknown key (did you mean [{owners[0]}] {name}?)")
    return (name, "unknown key (keys belong in a [section])")


def _check_section(section: str, table: Mapping[str, Any]) -> list[Located]:
    specs = SECTIONS[section]
    problems = []
    for key, value in table.items():
        spec = specs.get(key)
        if spec is not None:
            problems += [(f"[{section}] {loc}", msg) for loc, msg in check_field(spec, value)]
        elif f"{section}.{key}" in NOT_IN_FILE:
            problems.append(
                (f"[{section}] {key}", f"not a key of the file ({NOT_IN_FILE[f'{section}.{key}']})")
            )
        else:
            problems.append((f"[{section}] {_key_loc(key)}", "unknown key" + suggest(key, specs)))
    return problems


def check_cross(data: Mapping[str, Any]) -> list[Located]:
    """Rules spanning several keys, checked on the merged file + env + flags values."""
    problems = []
    s3 = section_of(data, "s3")
    if s3.get("enabled") is True:
        for key in ("endpoint", "access_key", "secret", "bucket", "region"):
            if not s3.get(key):
                problems.append((f"[s3] {key}", "required when s3 is enabled"))
        if bad := canned_acl(s3.get("acl") or ""):
            problems.append(("[s3] acl", bad))
    discord = section_of(data, "notifications.discord")
    if discord.get("enabled") is True and not discord.get("webhook"):
        problems.append(("[notifications.discord] webhook", "required when discord is enabled"))
    problems += chatwoot_cross(section_of(data, "chatwoot"))
    problems += cluster_cross(section_of(data, "cluster"))
    return problems


def section_of(data: Mapping[str, Any], section: str) -> Mapping[str, Any]:
    """The table at dotted `section` in `data`, or an empty mapping."""
    node: Any = data
    for part in section.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def format_problems(source: str, located: typing.Iterable[Located]) -> list[str]:
    """`source: location: message` lines, e.g. ``owncast.toml: [web] port: must be …``."""
    return [f"{source}: {loc}: {message}" for loc, message in located]


def settings_from_mapping(data: Mapping[str, Any], *, source: str = "config") -> Settings:
    """Checked file-shape data (as parsed from TOML) → :class:`Settings`; missing keys default.

    Raises ConfigError listing every problem, prefixed with `source`. Paths are taken as
    written (the loader resolves them against the data directory).
    """
    problems = check_document(data) + check_cross(data)
    if problems:
        raise ConfigError(format_problems(source, problems))
    built = {name: _build(name, section_of(data, name)) for name in SECTION_TYPES}
    return Settings(
        **{name: built[name] for name in SECTION_TYPES if "." not in name},
        notifications=NotificationSettings(
            discord=built["notifications.discord"], browser=built["notifications.browser"]
        ),
        verbose_logging=section_of(data, "logging").get("verbose", False),
    )


def _build(section: str, table: Mapping[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for name, spec in SECTIONS[section].items():
        if name not in table:
            continue
        value = table[name]
        if spec.kind == "str_list":
            value = tuple(value)
        elif spec.kind == "str_map":
            value = tuple(value.items())
        elif spec.kind == "table_list":
            assert spec.item_type is not None
            value = tuple(spec.item_type(**entry) for entry in value)
        kwargs[name] = value
    return SECTION_TYPES[section](**kwargs)


def settings_to_mapping(settings: Settings) -> dict[str, Any]:
    """`settings` in file shape (the inverse of :func:`settings_from_mapping`).

    `paths.data_dir` and `temporary_stream_key` are not part of the file and are left out.
    """
    out: dict[str, Any] = {}
    for section, specs in SECTIONS.items():
        if section == "logging":
            out["logging"] = {"verbose": settings.verbose_logging}
            continue
        obj: Any = settings
        for part in section.split("."):
            obj = getattr(obj, part)
        table = {name: to_file_value(spec.kind, getattr(obj, name)) for name, spec in specs.items()}
        head, _, sub = section.partition(".")
        if sub:
            out.setdefault(head, {})[sub] = table
        else:
            out[section] = table
    return out

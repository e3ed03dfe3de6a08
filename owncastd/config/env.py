"""Overrides from `OWNCAST_*` environment variables and Owncast's command-line flags.

Environment: every plain key is `OWNCAST_<SECTION>_<KEY>` (dots and the key upper-cased, e.g.
``OWNCAST_WEB_PORT``, ``OWNCAST_NOTIFICATIONS_DISCORD_ENABLED``); booleans take
true/false/1/0/yes/no/on/off, arrays of strings are comma-separated. Aliases are listed in
:data:`ENV_ALIASES` and :data:`ENV_SPECIAL`; :data:`ENV_ALLOWLIST` names variables other parts
of owncastd/owncastctl read. Any other `OWNCAST_*` name is a problem, so typos are not silent.

Flags follow Owncast (reference §6.3): --webserverport, --webserverip, --rtmpport and
--adminpassword are persisted into the file; --streamkey is a temporary key for this process;
--database/--logdir/--backupdir/--enableVerboseLogging apply to this process only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from owncastd.config import checks as checks
from owncastd.config.schema import FIELDS, FieldSpec, check_field, suggest, to_file_value
from owncastd.config.secrets import hash_password, password_problem, verify_password

ENV_PREFIX = "OWNCAST_"
# OWNCAST_* names read elsewhere (owncastctl's credentials, bin/ scripts); accepted, ignored.
ENV_ALLOWLIST = frozenset(
    {
        "OWNCAST_URL",
        "OWNCAST_ADMIN_USER",
        "OWNCAST_ADMIN_PASSWORD_FILE",
        "OWNCAST_TOKEN",
        "OWNCAST_VENV",
    }
)
# Short names for keys; applied after the generic names, so they win.
ENV_ALIASES: dict[str, str] = {
    "OWNCAST_FFMPEG": "video.ffmpeg_path",
    "OWNCAST_VERBOSE": "logging.verbose",
}
# Handled specially: a plaintext password (hashed in memory), a temporary stream key, and the
# two locations read by the loader itself.
ENV_SPECIAL = frozenset(
    {"OWNCAST_ADMIN_PASSWORD", "OWNCAST_STREAM_KEY", "OWNCAST_DATA_DIR", "OWNCAST_CONFIG"}
)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_name(spec: FieldSpec) -> str:
    """`OWNCAST_<SECTION>_<KEY>` for a key, e.g. ``OWNCAST_S3_ACCESS_KEY``."""
    return ENV_PREFIX + f"{spec.section}_{spec.name}".replace(".", "_").upper()


ENV_FIELDS: dict[str, FieldSpec] = {
    env_name(spec): spec
    for spec in FIELDS.values()
    if spec.kind in ("str", "int", "bool", "str_list")
}
KNOWN_ENV = frozenset(ENV_FIELDS) | frozenset(ENV_ALIASES) | ENV_SPECIAL | ENV_ALLOWLIST


@dataclass(frozen=True)
class ConfigFlags:
    """Owncast's command-line flags; None (or False) means "not given"."""

    webserverport: int | None = None
    webserverip: str | None = None
    rtmpport: int | None = None
    adminpassword: str | None = field(default=None, repr=False)
    streamkey: str | None = field(default=None, repr=False)
    database: str | os.PathLike[str] | None = None
    logdir: str | os.PathLike[str] | None = None
    backupdir: str | os.PathLike[str] | None = None
    enable_verbose_logging: bool = False


# flag attribute → (flag as typed, dotted key, persisted into the file?)
FLAG_TARGETS: dict[str, tuple[str, str, bool]] = {
    "webserverport": ("--webserverport", "web.port", True),
    "webserverip": ("--webserverip", "web.ip", True),
    "rtmpport": ("--rtmpport", "rtmp.port", True),
    "database": ("--database", "paths.database", False),
    "logdir": ("--logdir", "paths.log_dir", False),
    "backupdir": ("--backupdir", "paths.backup_dir", False),
}


@dataclass
class Overrides:
    """Values taken from env and flags, in file shape, keyed by dotted path."""

    values: dict[str, Any] = field(default_factory=dict)
    persist: dict[str, Any] = field(default_factory=dict)
    temporary_stream_key: str = field(default="", repr=False)
    problems: list[str] = field(default_factory=list)


def parse_env_value(spec: FieldSpec, raw: str) -> tuple[Any, str | None]:
    """`raw` converted to the kind of `spec`, or a problem message."""
    if spec.kind == "int":
        text = raw.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text), None
        return None, f"must be an integer (got {checks.describe(raw)})"
    if spec.kind == "bool":
        text = raw.strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, None
        return None, f"must be true or false (got {checks.describe(raw)})"
    if spec.kind == "str_list":
        return [part.strip() for part in raw.split(",") if part.strip()], None
    return raw, None


def _first_problem(spec: FieldSpec, value: Any) -> str | None:
    found = check_field(spec, value)
    return found[0][1] if found else None


def env_overrides(environ: Mapping[str, str], into: Overrides) -> None:
    """Apply every `OWNCAST_*` variable of `environ` to `into` (values or problems)."""
    names = sorted(name for name in environ if name.startswith(ENV_PREFIX))
    generic = [(n, ENV_FIELDS[n]) for n in names if n in ENV_FIELDS]
    aliases = [(n, FIELDS[ENV_ALIASES[n]]) for n in names if n in ENV_ALIASES]
    for name, spec in generic + aliases:
        value, problem = parse_env_value(spec, environ[name])
        problem = problem or _first_problem(spec, value)
        if problem:
            into.problems.append(f"env {name}: {problem}")
        else:
            into.values[spec.dotted] = value
    for name in names:
        if name not in KNOWN_ENV:
            into.problems.append(f"env {name}: unknown variable" + _suggest_env(name))
    if "OWNCAST_ADMIN_PASSWORD" in environ:
        plain = environ["OWNCAST_ADMIN_PASSWORD"]
        if problem := password_problem(plain):
            into.problems.append(f"env OWNCAST_ADMIN_PASSWORD: {problem}")
        else:
            into.values["admin.password_hash"] = hash_password(plain)
    if "OWNCAST_STREAM_KEY" in environ:
        key = environ["OWNCAST_STREAM_KEY"]
        if problem := checks.stream_key(key):
            into.problems.append(f"env OWNCAST_STREAM_KEY: {problem}")
        else:
            into.temporary_stream_key = key


def _suggest_env(name: str) -> str:
    # Compare what follows OWNCAST_, or the shared prefix makes everything look close.
    cut = len(ENV_PREFIX)
    hint = suggest(name[cut:], [known[cut:] for known in KNOWN_ENV])
    return hint.replace('"', '"' + ENV_PREFIX, 1) if hint else ""


def flag_overrides(flags: ConfigFlags, file_data: Mapping[str, Any], into: Overrides) -> None:
    """Apply `flags` to `into`; persisted flags that change the file go to `into.persist`."""
    for attr, (flag, dotted, persisted) in FLAG_TARGETS.items():
        raw = getattr(flags, attr)
        if raw is None:
            continue
        spec = FIELDS[dotted]
        value = to_file_value(spec.kind, raw)
        if problem := _first_problem(spec, value):
            into.problems.append(f"{flag}: {problem}")
            continue
        into.values[dotted] = value
        if persisted and _file_value(file_data, spec) != value:
            into.persist[dotted] = value
    if flags.adminpassword is not None:
        if problem := password_problem(flags.adminpassword):
            into.problems.append(f"--adminpassword: {problem}")
        else:
            current = _file_value(file_data, FIELDS["admin.password_hash"])
            if isinstance(current, str) and verify_password(flags.adminpassword, current):
                into.values["admin.password_hash"] = current
            else:
                hashed = hash_password(flags.adminpassword)
                into.values["admin.password_hash"] = hashed
                into.persist["admin.password_hash"] = hashed
    if flags.streamkey is not None:
        if problem := checks.stream_key(flags.streamkey):
            into.problems.append(f"--streamkey: {problem}")
        else:
            into.temporary_stream_key = flags.streamkey
    if flags.enable_verbose_logging:
        into.values["logging.verbose"] = True


def _file_value(data: Mapping[str, Any], spec: FieldSpec) -> Any:
    node: Any = data
    for part in spec.section.split("."):
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return node.get(spec.name, spec.default) if isinstance(node, Mapping) else spec.default

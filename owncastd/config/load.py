"""Configuration: `owncast.toml` + `OWNCAST_*` env + flags → typed, frozen :class:`Settings`.

Layering is defaults ← file ← env ← flags. The data directory comes from `--data-dir`, then
`OWNCAST_DATA_DIR`, then ``./data``; the file from `--config`, then `OWNCAST_CONFIG`, then
``<data dir>/owncast.toml`` (created from the documented sample when missing). Every problem is
collected before failing with one :class:`ConfigError`. The pieces live in ``config_*`` modules:
schema and checks, env/flags, comment-preserving writes, secrets, rendering.

Public API: :func:`load_config`, :func:`ensure_secrets`, :func:`update_config`,
:func:`render_effective`, :func:`settings_from_mapping`, :func:`settings_to_mapping`,
:func:`hash_password`, :func:`verify_password`, :class:`ConfigFlags`, :class:`LoadedConfig`,
:class:`GeneratedSecrets`, :data:`ENV_ALLOWLIST`.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.resources
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import owncastd
from owncastd.config.env import (
    ENV_ALLOWLIST,
    ConfigFlags,
    Overrides,
    env_overrides,
    flag_overrides,
)
from owncastd.config.render import render_effective
from owncastd.config.schema import (
    FIELDS,
    check_cross,
    check_document,
    format_problems,
    settings_from_mapping,
    settings_to_mapping,
)
from owncastd.config.secrets import (
    GENERATED_COMMENT,
    generate_password,
    generate_stream_key,
    hash_password,
    verify_password,
)
from owncastd.config.settings import PathSettings, Settings, StreamKey
from owncastd.config.write import update_config, write_atomic
from owncastd.errors import ConfigError

__all__ = [
    "ENV_ALLOWLIST",
    "ConfigFlags",
    "GeneratedSecrets",
    "LoadedConfig",
    "ensure_secrets",
    "hash_password",
    "load_config",
    "render_effective",
    "sample_config_text",
    "settings_from_mapping",
    "settings_to_mapping",
    "update_config",
    "verify_password",
]

logger = logging.getLogger(__name__)
CONFIG_NAME = "owncast.toml"
DEFAULT_DATA_DIR = "data"


@dataclass(frozen=True)
class GeneratedSecrets:
    """Secrets created on first start, to be shown to the admin once. None: not generated."""

    admin_password: str | None = field(default=None, repr=False)
    stream_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LoadedConfig:
    """The effective settings, the file they came from, and first-run secrets if any."""

    settings: Settings
    path: Path
    generated: GeneratedSecrets | None = None


def locate_config(
    *, config_path: Path | None, data_dir: Path | None, environ: Mapping[str, str]
) -> tuple[Path, Path]:
    """(data directory, config file), absolute: `--data-dir`, `OWNCAST_DATA_DIR`, `./data`;
    `--config`, `OWNCAST_CONFIG`, `<data>/owncast.toml`."""
    data_root = Path(data_dir or environ.get("OWNCAST_DATA_DIR") or DEFAULT_DATA_DIR)
    data_root = data_root.expanduser().resolve()
    explicit = config_path or environ.get("OWNCAST_CONFIG")
    path = Path(explicit).expanduser().resolve() if explicit else data_root / CONFIG_NAME
    return data_root, path


def load_config(
    *,
    config_path: Path | None,
    data_dir: Path | None,
    environ: Mapping[str, str],
    flags: ConfigFlags,
) -> LoadedConfig:
    """Read, layer and check the configuration; persist Owncast's persisted flags.

    Raises ConfigError with every problem found (file, env and flags together).
    """
    data_root, path = locate_config(config_path=config_path, data_dir=data_dir, environ=environ)
    if not path.is_file():
        if config_path or environ.get("OWNCAST_CONFIG"):
            raise ConfigError([f"{path}: config file not found"])
        _create_from_sample(path)
    _warn_if_readable(path)
    source = path.name
    problems: list[str] = []
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(syntax_problem(source, exc))
        data = {}
    problems += format_problems(source, check_document(data))
    overrides = Overrides()
    env_overrides(environ, overrides)
    flag_overrides(flags, data, overrides)
    problems += overrides.problems
    merged: dict[str, Any] = {}
    if not problems:
        merged = _merge(data, overrides.values)
        problems += format_problems(source, check_cross(merged))
    if problems:
        raise ConfigError(problems)
    settings = settings_from_mapping(merged, source=source)
    if overrides.persist:
        update_config(path, overrides.persist)
        logger.info("flags persisted path=%s keys=%s", path, ",".join(sorted(overrides.persist)))
    settings = dataclasses.replace(
        settings,
        paths=_resolve_paths(settings.paths, data_root),
        temporary_stream_key=overrides.temporary_stream_key,
    )
    logger.debug("config loaded path=%s", path)
    return LoadedConfig(settings=settings, path=path)


def ensure_secrets(loaded: LoadedConfig) -> LoadedConfig:
    """Generate, persist and return an admin password and/or stream key when none is set.

    Nothing is generated when env/flags supply the password or a temporary stream key. The
    returned `generated` holds the plaintext values for the CLI to print once; they are never
    logged. The file is rewritten with mode 0600.
    """
    settings = loaded.settings
    changes: dict[str, Any] = {}
    password = key = None
    admin, rtmp = settings.admin, settings.rtmp
    if not admin.password_hash:
        password = generate_password()
        admin = dataclasses.replace(admin, password_hash=hash_password(password))
        changes["admin.password_hash"] = admin.password_hash
    if not rtmp.stream_keys and not settings.temporary_stream_key:
        key = generate_stream_key()
        rtmp = dataclasses.replace(rtmp, stream_keys=(StreamKey(key, GENERATED_COMMENT),))
        changes["rtmp.stream_keys"] = rtmp.stream_keys
    if not changes:
        return loaded
    update_config(loaded.path, changes)
    logger.info(
        "first-run secrets generated path=%s admin_password=%s stream_key=%s",
        loaded.path,
        password is not None,
        key is not None,
    )
    return dataclasses.replace(
        loaded,
        settings=dataclasses.replace(settings, admin=admin, rtmp=rtmp),
        generated=GeneratedSecrets(admin_password=password, stream_key=key),
    )


def sample_config_text() -> str:
    """The documented sample `config/owncast.toml` (from a checkout or the wheel's copy)."""
    checkout = Path(owncastd.__file__).parent.parent / "config" / CONFIG_NAME
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    resource = importlib.resources.files("owncastd") / "_sample" / CONFIG_NAME
    return resource.read_text(encoding="utf-8")


def syntax_problem(source: str, exc: Exception) -> str:
    """A TOML syntax error as `owncast.toml: line 3, column 8: invalid TOML: …`."""
    message = str(exc)
    match = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", message)
    if match:
        text, line, column = match.groups()
        return f"{source}: line {line}, column {column}: invalid TOML: {text}"
    return f"{source}: invalid TOML: {message}"


def _create_from_sample(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, sample_config_text())
    logger.info("config created from the sample path=%s", path)


def _warn_if_readable(path: Path) -> None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning(
            "config file is readable by other users path=%s mode=%o "
            "(it holds secrets; chmod 600 it)",
            path,
            mode,
        )


def _merge(data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with dotted `values` set on a deep copy."""
    merged = copy.deepcopy(dict(data))
    for dotted, value in values.items():
        spec = FIELDS[dotted]
        node = merged
        for part in spec.section.split("."):
            node = node.setdefault(part, {})
        node[spec.name] = value
    return merged


def _resolve_paths(paths: PathSettings, data_root: Path) -> PathSettings:
    def under(value: str, default: str) -> str:
        path = Path(value or default).expanduser()
        return str(path if path.is_absolute() else (data_root / path).resolve())

    return PathSettings(
        data_dir=str(data_root),
        database=under(paths.database, "owncast.db"),
        log_dir=under(paths.log_dir, "logs"),
        backup_dir=under(paths.backup_dir, "backup"),
    )

"""Live configuration changes: validate, persist into `owncast.toml`, swap the settings in.

The admin API (and later `owncastctl` through it) changes settings with
:meth:`ConfigEditor.apply`. One change at a time (a trio lock): the new settings are built and
checked in memory, then written with :func:`owncastd.config.load.update_config` on a worker thread
(atomic, comment-keeping), and only then swapped into the :class:`SettingsRef`, so a rejected
change leaves both the file and the running daemon as they were. Services read
`settings.current` when they need a value, so most changes apply at once; the transcoder reads
its video settings at session start and the listeners bind at startup.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio

from owncastd.config.load import settings_from_mapping, settings_to_mapping, update_config
from owncastd.config.schema import FIELDS, check_cross, check_document, to_file_value
from owncastd.config.settings import Settings, SettingsRef
from owncastd.errors import ConfigError, OwncastdError

log = logging.getLogger(__name__)


class ConfigRejectedError(OwncastdError):
    """The requested change is invalid; `problems` says why (safe to show to the admin)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ConfigWriteError(OwncastdError):
    """The change was valid but the config file could not be updated."""


@dataclass(frozen=True)
class SettingsChanged:
    """Settings were changed through the editor: `keys` are the dotted keys set."""

    old: Settings
    new: Settings
    keys: frozenset[str]


Listener = Callable[[SettingsChanged], None]
Check = Callable[[Settings, Settings], Awaitable[list[str]]]  # (old, new) -> problems


def merged_settings(current: Settings, changes: Mapping[str, Any]) -> Settings:
    """`current` with dotted `changes` applied, checked like the config file.

    Raises ConfigRejectedError listing every problem. Paths and the temporary stream key are
    kept from `current` (they are not part of the file).
    """
    data = settings_to_mapping(current)
    unknown = [key for key in changes if key not in FIELDS]
    if unknown:
        raise ConfigRejectedError([f"{key}: unknown setting" for key in unknown])
    for dotted, value in changes.items():
        spec = FIELDS[dotted]
        node = data
        for part in spec.section.split("."):
            node = node.setdefault(part, {})
        node[spec.name] = to_file_value(spec.kind, value)
    located = check_document(data) + check_cross(data)
    if located:
        raise ConfigRejectedError([f"{loc}: {message}" for loc, message in located])
    try:
        built = settings_from_mapping(data)
    except ConfigError as exc:  # checked above; kept for safety
        raise ConfigRejectedError(exc.problems) from None
    return dataclasses.replace(
        built, paths=current.paths, temporary_stream_key=current.temporary_stream_key
    )


class ConfigEditor:
    """Applies setting changes to the running daemon and its config file, one at a time.

    `path` None keeps changes in memory only (tests and embedded uses).
    """

    def __init__(self, settings: SettingsRef, path: Path | None) -> None:
        self.settings = settings
        self.path = path
        self.lock = trio.Lock()
        self._listeners: list[Listener] = []
        self._checks: list[Check] = []

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` after every applied change (it must not block)."""
        self._listeners.append(listener)

    def add_check(self, check: Check) -> None:
        """Ask `check(old, new)` for problems before a change is saved (e.g. an S3 round trip);
        any problem rejects the change."""
        self._checks.append(check)

    async def apply(self, changes: Mapping[str, Any]) -> Settings:
        """Validate, persist and swap in `changes` (dotted keys, settings or file shape).

        Raises ConfigRejectedError (nothing changed) or ConfigWriteError (file untouched,
        nothing changed).
        """
        async with self.lock:
            old = self.settings.current
            new = merged_settings(old, changes)
            problems = [p for check in self._checks for p in await check(old, new)]
            if problems:
                raise ConfigRejectedError(problems)
            if self.path is not None:
                try:
                    await trio.to_thread.run_sync(update_config, self.path, dict(changes))
                except ConfigError as exc:
                    log.error("config file not updated path=%s problems=%s", self.path, exc)
                    raise ConfigWriteError(f"{self.path.name}: {'; '.join(exc.problems)}") from None
                except OSError as exc:
                    log.error("config file not updated path=%s error=%s", self.path, exc)
                    raise ConfigWriteError(f"{self.path.name}: {exc.strerror or exc}") from None
            self.settings.replace(new)
            event = SettingsChanged(old, new, frozenset(changes))
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:
                    log.exception("settings listener failed")
            return new

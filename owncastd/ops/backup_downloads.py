"""The archives in the backup directory, for the admin's backups page (ours, not Owncast's).

Lists the automatic (`owncastd-auto-…`) and manual (`owncastd-backup-…`) archives directly in
the backup directory, makes a new manual one there on request, and resolves a download name to
its file. Only a bare archive name of those two forms, naming a regular file (not a symlink)
directly in that directory, ever resolves: nothing outside it can be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import trio

from owncastd.ops.backup import (
    AUTO_PREFIX,
    MANUAL_PREFIX,
    SUFFIX,
    TIME_FORMAT,
    BackupSources,
    create_backup,
)

NAME = re.compile(
    rf"({re.escape(AUTO_PREFIX)}|{re.escape(MANUAL_PREFIX)})(\d{{8}}T\d{{6}}Z){re.escape(SUFFIX)}"
)


@dataclass(frozen=True)
class Archive:
    """One archive in the backup directory."""

    name: str
    size: int
    created: datetime
    automatic: bool

    def to_json(self) -> dict[str, object]:
        """`{name, size, created, automatic}`."""
        created = self.created.isoformat(timespec="seconds").replace("+00:00", "Z")
        automatic = self.automatic
        return {"name": self.name, "size": self.size, "created": created, "automatic": automatic}


class BackupDownloads:
    """List, make and find archives in one backup directory."""

    def __init__(
        self,
        backup_dir: Callable[[], Path],
        sources: Callable[[], BackupSources] | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._backup_dir = backup_dir
        self._sources = sources
        self._clock = clock
        self._lock = trio.Lock()  # one backup at a time

    @property
    def can_create(self) -> bool:
        """False when the daemon runs without a configuration file (nothing to archive)."""
        return self._sources is not None

    def archives(self) -> list[Archive]:
        """Every archive, newest first."""
        folder = self._backup_dir()
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            match = NAME.fullmatch(path.name)
            if match is None or path.is_symlink() or not path.is_file():
                continue
            created = datetime.strptime(match.group(2), TIME_FORMAT).replace(tzinfo=UTC)
            automatic = match.group(1) == AUTO_PREFIX
            found.append(Archive(path.name, path.stat().st_size, created, automatic))
        return sorted(found, key=lambda archive: (archive.created, archive.name), reverse=True)

    def path_of(self, name: str) -> Path | None:
        """The archive called `name`, or None (unknown, not an archive name, not a plain file)."""
        if NAME.fullmatch(name) is None:
            return None
        path = self._backup_dir() / name
        if path.is_symlink() or not path.is_file():
            return None
        return path

    async def create(self) -> Archive:
        """Write a new manual archive in the backup directory (in a worker thread)."""
        if self._sources is None:
            raise RuntimeError("backups need the daemon's configuration file")
        async with self._lock:
            sources, folder = self._sources(), self._backup_dir()
            now = self._clock().astimezone(UTC).replace(microsecond=0)
            path = await trio.to_thread.run_sync(lambda: create_backup(sources, folder, now=now))
        size = path.stat().st_size
        return Archive(path.name, size, now, automatic=False)

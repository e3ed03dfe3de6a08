"""The daily automatic backup: an archive in the backup directory every day, the last 7 kept.

The first one is made a while after start (not at every start, so a crash loop does not fill the
disk), or sooner when the newest automatic archive is more than a day old. A failed backup is
logged, degrades health and is retried an hour later. Manual archives are never pruned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trio

from owncastd.ops.backup import AUTO_PREFIX, SUFFIX, TIME_FORMAT, BackupSources, create_backup
from owncastd.ops.health import Health

log = logging.getLogger(__name__)

INTERVAL = timedelta(days=1)
FIRST_DELAY = timedelta(minutes=10)
RETRY_DELAY = timedelta(hours=1)
KEEP = 7
HEALTH_KEY = "backup"


def automatic_backups(backup_dir: Path) -> list[tuple[datetime, Path]]:
    """The automatic archives in `backup_dir`, oldest first, with their creation times."""
    found: list[tuple[datetime, Path]] = []
    if not backup_dir.is_dir():
        return found
    for path in backup_dir.glob(f"{AUTO_PREFIX}*{SUFFIX}"):
        stamp = path.name[len(AUTO_PREFIX) : -len(SUFFIX)]
        try:
            when = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append((when, path))
    return sorted(found)


def prune(backup_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` automatic archives; return what was deleted."""
    archives = automatic_backups(backup_dir)
    doomed = [path for _, path in archives[: max(0, len(archives) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
        log.info("old automatic backup removed path=%s", path)
    return doomed


def first_delay(backup_dir: Path, now: datetime) -> timedelta:
    """How long to wait before the first automatic backup of this run."""
    archives = automatic_backups(backup_dir)
    if not archives:
        return FIRST_DELAY
    due = archives[-1][0] + INTERVAL - now
    return max(FIRST_DELAY, due)


class BackupScheduler:
    """Makes the daily backup into `backup_dir` and keeps the last `keep`."""

    def __init__(
        self,
        sources: Callable[[], BackupSources],
        backup_dir: Path,
        health: Health,
        *,
        keep: int = KEEP,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sources = sources
        self._backup_dir = backup_dir
        self._health = health
        self._keep = keep
        self._clock = clock
        self.made = 0

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Back up daily until cancelled."""
        delay = await trio.to_thread.run_sync(first_delay, self._backup_dir, self._clock())
        log.info(
            "automatic backups dir=%s keep=%d first_in=%ds",
            self._backup_dir,
            self._keep,
            delay.total_seconds(),
        )
        task_status.started()
        while True:
            await trio.sleep(delay.total_seconds())
            ok = await self.backup_now()
            delay = INTERVAL if ok else RETRY_DELAY

    async def backup_now(self) -> bool:
        """Make one automatic backup and prune old ones; False (logged) when it failed."""
        sources, now = self._sources(), self._clock()
        try:
            await trio.to_thread.run_sync(self._backup, sources, now)
        except Exception as exc:
            log.error("automatic backup failed dir=%s error=%s", self._backup_dir, exc)
            self._health.degrade(HEALTH_KEY, f"backup: the last automatic backup failed ({exc})")
            return False
        self.made += 1
        self._health.recover(HEALTH_KEY)
        return True

    def _backup(self, sources: BackupSources, now: datetime) -> None:
        create_backup(sources, self._backup_dir, now=now, automatic=True)
        prune(self._backup_dir, self._keep)

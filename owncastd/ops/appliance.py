"""The appliance services of one daemon, built and run together by the composition root.

:class:`Appliance` owns the health state, the config reloader, the disk monitor, the daily
backup and the systemd watchdog pets, and runs them in its own nursery.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import trio

from owncastd.config.settings import Settings, SettingsRef
from owncastd.notify import pet_watchdog, sd_notify, watchdog_interval
from owncastd.ops.backup import BackupSources
from owncastd.ops.backup_downloads import BackupDownloads
from owncastd.ops.backup_schedule import BackupScheduler
from owncastd.ops.daemon_status import Operations
from owncastd.ops.disk import CHECK_INTERVAL, DiskMonitor
from owncastd.ops.health import Health, database_check
from owncastd.ops.reload import ConfigReloader

if TYPE_CHECKING:
    from owncastd.store.database import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplianceOptions:
    """How the composition root wants the appliance services (defaults: production)."""

    config_path: Path | None = None  # needed for backups of the config
    load_config: Callable[[], Settings] | None = None  # None: reload is not available
    automatic_backups: bool = True
    disk_check_interval: float = CHECK_INTERVAL
    environ: Mapping[str, str] | None = None  # for NOTIFY_SOCKET / WATCHDOG_USEC


class Appliance:
    """Health, reload, disk checks, daily backups and watchdog for one daemon."""

    def __init__(
        self,
        settings: SettingsRef,
        store: Store,
        options: ApplianceOptions,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._store = store
        self._options = options
        self._clock = clock
        environ = options.environ if options.environ is not None else os.environ
        self._environ = environ
        self.health = Health(self._probe_store, notify=self.notify)
        self.health.add_check("store", self._store_problem)
        self.health.add_check("database", database_check(lambda: store.damage))
        self._is_live: Callable[[], bool] = lambda: False
        self.reloader: ConfigReloader | None = None
        if options.load_config is not None:
            self.reloader = ConfigReloader(
                settings,
                options.load_config,
                is_live=lambda: self._is_live(),
                notify=self.notify,
                clock=clock,
            )
        sources = self._backup_sources if options.config_path is not None else None
        backups = BackupDownloads(self._backup_dir, sources, clock)
        self.operations = Operations(self.health, self.reloader, backups=backups)

    def notify(self, message: str) -> None:
        """Tell systemd (when it is listening)."""
        sd_notify(message, self._environ)

    def attach_stream(self, is_live: Callable[[], bool]) -> None:
        """Let the reloader say when video changes wait for the next stream."""
        self._is_live = is_live

    def share_config_lock(self, lock: trio.Lock) -> None:
        """Make reloads hold `lock` (the ConfigEditor's) while they load and swap settings."""
        if self.reloader is not None:
            self.reloader.share_config_lock(lock)

    def request_reload(self, origin: str) -> None:
        """Reload the configuration soon (from a signal handler)."""
        if self.reloader is None:
            log.warning("configuration reload is not available origin=%s", origin)
        else:
            self.reloader.request(origin)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the appliance tasks until cancelled."""
        settings = self._settings.current
        data_dir = Path(settings.paths.data_dir)
        backup_dir = self._backup_dir()
        async with trio.open_nursery() as nursery:
            interval = watchdog_interval(self._environ)
            if interval is not None:
                nursery.start_soon(pet_watchdog, interval, self.notify)
            if self.reloader is not None:
                await nursery.start(self.reloader.run)
            directories = {
                "video": data_dir / "hls",
                "database": Path(settings.paths.database).parent,
                "logs": Path(settings.paths.log_dir or data_dir / "logs"),
            }
            if self._options.automatic_backups:
                directories["backups"] = backup_dir
            monitor = DiskMonitor(
                self.health, directories, interval=self._options.disk_check_interval
            )
            await nursery.start(monitor.run)
            if self._options.automatic_backups and self._options.config_path is not None:
                scheduler = BackupScheduler(self._backup_sources, backup_dir, self.health)
                await nursery.start(scheduler.run)
            task_status.started()

    def _backup_dir(self) -> Path:
        paths = self._settings.current.paths
        return Path(paths.backup_dir or Path(paths.data_dir) / "backup")

    def _backup_sources(self) -> BackupSources:
        assert self._options.config_path is not None
        return BackupSources.from_settings(self._settings.current, self._options.config_path)

    async def _probe_store(self) -> object:
        if self._store.damage:  # the store is down: healthz answers 503 (failing)
            raise RuntimeError(f"database damaged: {self._store.damage}")
        return await self._store.read(lambda conn: conn.execute("SELECT 1").fetchone())

    def _store_problem(self) -> str | None:
        failure = self._store.write_failure
        return f"store: database writes are failing ({failure})" if failure else None

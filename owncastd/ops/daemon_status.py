"""What the web app needs from the appliance side: health and configuration reload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from owncastd.ops.backup_downloads import BackupDownloads
from owncastd.ops.health import Health
from owncastd.ops.reload import ConfigReloader


class ListenerReport:
    """The web listener's limits and open connections, once the listener is attached."""

    def __init__(self) -> None:
        self.source: Callable[[], dict[str, object]] | None = None

    def attach(self, source: Callable[[], dict[str, object]]) -> None:
        """Report what `source()` returns (the web listener calls this when built)."""
        self.source = source

    def to_json(self) -> dict[str, object] | None:
        """The listener's report, or None before one is attached."""
        return self.source() if self.source is not None else None


@dataclass(frozen=True)
class Operations:
    """Health for `/api/healthz`; the reloader for `POST /api/admin/config/reload`; the web
    listener's limits for `/api/admin/daemon`; the archives for `/api/admin/backups`."""

    health: Health
    reloader: ConfigReloader | None = None
    web: ListenerReport = field(default_factory=ListenerReport)
    backups: BackupDownloads | None = None

    async def status_json(self) -> dict[str, object]:
        """`GET /api/admin/daemon`: health, keys waiting for a restart, the last reload, the
        web listener's limits (`web`, null until it runs)."""
        reloader = self.reloader
        last = reloader.last if reloader is not None else None
        return {
            **(await self.health.report()).to_json(),
            "restartRequired": list(reloader.pending_restart) if reloader is not None else [],
            "lastReload": last.to_json() if last is not None else None,
            "web": self.web.to_json(),
        }

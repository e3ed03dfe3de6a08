"""What the web app needs from the appliance side: health and configuration reload."""

from __future__ import annotations

from dataclasses import dataclass

from owncastd.ops.health import Health
from owncastd.ops.reload import ConfigReloader


@dataclass(frozen=True)
class Operations:
    """Health for `/api/healthz`; the reloader for `POST /api/admin/config/reload`."""

    health: Health
    reloader: ConfigReloader | None = None

    async def status_json(self) -> dict[str, object]:
        """`GET /api/admin/daemon`: health, keys waiting for a restart, the last reload."""
        reloader = self.reloader
        last = reloader.last if reloader is not None else None
        return {
            **(await self.health.report()).to_json(),
            "restartRequired": list(reloader.pending_restart) if reloader is not None else [],
            "lastReload": last.to_json() if last is not None else None,
        }

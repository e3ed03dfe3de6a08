"""What the web app needs from the rest of the daemon, passed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from owncastd.config.settings import SettingsRef
from owncastd.core.snapshot_demand import SnapshotDemand
from owncastd.core.stream import Stream
from owncastd.core.viewers import ViewerTracker

if TYPE_CHECKING:
    from owncastd.core.chatwoot.bridge import ChatwootBridge
    from owncastd.hls.llhls.live import LowLatencyOutput
    from owncastd.http.admin.control_plane import ControlPlane
    from owncastd.http.chat.context import ChatServices
    from owncastd.http.federation.services import FederationWeb
    from owncastd.ops.daemon_status import Operations
    from owncastd.replays.services import ReplayServices

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class WebPaths:
    """Directories the web app serves files from."""

    data_dir: Path
    hls_dir: Path
    thumbnails_dir: Path
    public_dir: Path
    static_dir: Path = STATIC_DIR

    def logo(self, configured: str) -> Path:
        """The configured logo (relative to the data dir), or the bundled default."""
        if configured:
            path = Path(configured)
            return path if path.is_absolute() else self.data_dir / path
        return self.static_dir / "img" / "logo.svg"


@dataclass(frozen=True)
class WebContext:
    """Services and settings the HTTP handlers use."""

    settings: SettingsRef
    stream: Stream
    viewers: ViewerTracker
    paths: WebPaths
    version: str
    clock: Callable[[], datetime]
    # Health and config reload (`/api/healthz`, `/api/admin/config/reload`); None in tests.
    operations: Operations | None = None
    # The admin control plane (config setters, metrics, logs, users); None in apps built
    # without it (then its routes are not registered).
    control: ControlPlane | None = None
    # The config file the admin API edits (None: changes stay in memory).
    config_path: Path | None = None
    # Chat (room, store, emoji); None in apps built without it (no chat routes then).
    chat: ChatServices | None = None
    # Told of `/thumbnail.jpg` / `/preview.gif` fetches (the thumbnail maker runs on demand);
    # None: nobody listens.
    snapshots: SnapshotDemand | None = None
    # The Chatwoot bridge (webhook and private-thread routes); None: not built.
    chatwoot: ChatwootBridge | None = None
    # Recorded broadcasts (issue 14); None: no replay routes.
    replays: ReplayServices | None = None
    # The LL-HLS output served at /hls/ll/ (issue 13); None: those routes answer 404.
    low_latency: LowLatencyOutput | None = None
    # ActivityPub (issue 11); None: no federation routes.
    federation: FederationWeb | None = None

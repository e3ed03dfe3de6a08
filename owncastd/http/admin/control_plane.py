"""The services behind the admin API, as the admin routes and integrations see them
(`WebContext.control`). The composition root (`owncastd/wiring.py`) builds and runs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from owncastd.config.editor import ConfigEditor
    from owncastd.core.directory import DirectoryPinger
    from owncastd.core.go_live import GoLiveAnnouncer
    from owncastd.core.schedule.service import ScheduleService
    from owncastd.http.admin.chatwoot_routes import ChatwootAdminPort
    from owncastd.log_buffer import LogBuffer
    from owncastd.metrics.hardware import HardwareMonitor
    from owncastd.metrics.playback import PlaybackMetrics
    from owncastd.metrics.prometheus import Metrics
    from owncastd.metrics.viewer_history import ViewerHistory
    from owncastd.ops.shutdown import ShutdownRequest
    from owncastd.store.access_tokens import AccessTokenStore
    from owncastd.store.datastore import Datastore
    from owncastd.store.user_admin import UserDirectory
    from owncastd.webhooks.service import WebhookService
    from owncastd.webhooks.web_push import BrowserPush


@dataclass(frozen=True)
class ControlPlane:
    """Services behind the admin API."""

    editor: ConfigEditor
    hardware: HardwareMonitor
    playback: PlaybackMetrics
    viewer_history: ViewerHistory
    users: UserDirectory
    datastore: Datastore
    logs: LogBuffer
    metrics: Metrics
    shutdown: ShutdownRequest
    tokens: AccessTokenStore
    webhooks: WebhookService
    supported_codecs: tuple[str, ...] = ()
    check_ffmpeg: Callable[[str], Awaitable[str | None]] | None = None
    # Scheduled events (develop §5.2); None in apps built without them.
    schedule: ScheduleService | None = None
    # The go-live moment (Discord) and the directory pinger; None in apps built without them.
    go_live: GoLiveAnnouncer | None = None
    directory: DirectoryPinger | None = None
    push: BrowserPush | None = None  # browser push: VAPID keys, subscribers, the go-live send
    # Called with the id of each user the admin deletes (the chat side drops their clients).
    user_deleted: list[Callable[[str], None]] = field(default_factory=list)
    # The Chatwoot bridge's setup and status (issue 15); None: its routes answer 503.
    chatwoot: ChatwootAdminPort | None = None

"""Building the daemon's services and wiring them together: the half of the composition root
that `daemon.py` (which runs them) would otherwise grow. Nothing outside `daemon.py` and this
module constructs services from more than one adapter; `tests/unit/test_import_layers.py`
enforces it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import trio

from owncastd import OWNCAST_API_VERSION
from owncastd.chatwoot.admin import ChatwootAdmin
from owncastd.chatwoot.live import LiveChatwoot
from owncastd.config.editor import ConfigEditor, SettingsChanged
from owncastd.config.settings import SettingsRef
from owncastd.core.chat.emoji_catalog import EmojiDirectory
from owncastd.core.chat.room import ChatRoom
from owncastd.core.chat.slurs import DeferredProfanityCheck
from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.core.chatwoot.escalation import Escalations
from owncastd.core.chatwoot.relay import attach_relay
from owncastd.core.chatwoot.settings import BridgeSettings, from_section
from owncastd.core.chatwoot.sink import room_sink
from owncastd.core.directory import DirectoryPinger, DirectoryTarget
from owncastd.core.go_live import GoLiveAnnouncer
from owncastd.core.schedule.service import ScheduleService
from owncastd.core.stream import Stream
from owncastd.core.viewers import ViewerTracker
from owncastd.core.webhooks import current_status_block
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.chat.context import ChatServices
from owncastd.log_buffer import LogBuffer
from owncastd.metrics.hardware import HardwareMonitor, HardwareProbe
from owncastd.metrics.playback import PlaybackMetrics
from owncastd.metrics.prometheus import Metrics, MetricSources, NoChat
from owncastd.metrics.viewer_history import ViewerHistory
from owncastd.ops.shutdown import ShutdownRequest
from owncastd.replays.files import RecordingFiles
from owncastd.replays.library import ReplayLibrary
from owncastd.replays.recorder import Recorder
from owncastd.replays.services import ReplayServices
from owncastd.storage.settings_check import s3_change_problems
from owncastd.store.access_tokens import AccessTokenStore
from owncastd.store.chat import ChatStore
from owncastd.store.chatwoot import ChatwootStore
from owncastd.store.chatwoot_chat import ChatLookup
from owncastd.store.database import Store
from owncastd.store.datastore import Datastore
from owncastd.store.notifications import NotificationStore
from owncastd.store.replays import ReplayStore
from owncastd.store.schedule import ScheduleStore
from owncastd.store.user_admin import UserDirectory
from owncastd.store.viewer_samples import ViewerSampleRepository
from owncastd.store.webhooks import WebhookStore
from owncastd.webhooks.delivery import DeliveryCollector, DeliveryPolicy
from owncastd.webhooks.go_live_http import DiscordGoLive, HttpDirectoryClient
from owncastd.webhooks.service import WebhookService
from owncastd.webhooks.web_push import BrowserPush

if TYPE_CHECKING:
    pass


async def run_control_plane(
    control: ControlPlane, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run the control plane's background jobs (samplers, shutdown watcher) until cancelled."""
    async with trio.open_nursery() as nursery:
        await nursery.start(control.hardware.run)
        await nursery.start(control.playback.run)
        await nursery.start(control.viewer_history.run)
        await nursery.start(control.shutdown.run)
        await nursery.start(control.webhooks.run)
        if control.schedule is not None:
            await nursery.start(control.schedule.run)
        if control.push is not None:
            await nursery.start(control.push.run)  # the VAPID keys, before /api/config is served
        if control.go_live is not None:
            await nursery.start(control.go_live.run)
        if control.directory is not None:
            await nursery.start(control.directory.run)
        task_status.started()


@dataclass(frozen=True)
class ControlPlaneParts:
    """What the composition root hands over to build a :class:`ControlPlane`."""

    settings: SettingsRef
    config_path: Path | None
    store: Store
    stream: Stream
    viewers: ViewerTracker
    data_dir: Path
    clock: Callable[[], datetime]
    version: str
    logs: LogBuffer
    request_stop: Callable[[], None]
    supported_codecs: tuple[str, ...] = ()
    check_ffmpeg: Callable[[str], Awaitable[str | None]] | None = None
    ffmpeg_restarts: Callable[[], int] = lambda: 0
    hardware_probe: HardwareProbe | None = None  # None: psutil
    webhook_policy: DeliveryPolicy | None = None  # None: 5 s, 3 attempts, 10 at once


def build_control_plane(parts: ControlPlaneParts) -> ControlPlane:
    """Wire the control plane's services."""
    settings, stream = parts.settings, parts.stream
    hardware = HardwareMonitor(parts.data_dir, parts.clock, probe=parts.hardware_probe)
    playback = PlaybackMetrics(parts.clock)
    metrics = _metrics(parts, hardware, playback)
    editor = ConfigEditor(settings, parts.config_path)
    editor.add_check(s3_change_problems)  # new S3 settings must pass a round trip
    webhooks = _webhooks(parts)
    datastore = Datastore(parts.store)
    push = BrowserPush(
        lambda: settings.current,
        NotificationStore(parts.store),
        datastore,
        user_agent=_agent(parts, "notifications"),
    )
    editor.subscribe(webhooks.on_settings_changed)
    metrics.add_collector(DeliveryCollector(webhooks.sender.counts))
    return ControlPlane(
        editor=editor,
        hardware=hardware,
        playback=playback,
        viewer_history=ViewerHistory(
            ViewerSampleRepository(parts.store),
            online=lambda: stream.online,
            count=lambda: parts.viewers.count,
            clock=parts.clock,
        ),
        users=UserDirectory(parts.store),
        datastore=datastore,
        logs=parts.logs,
        metrics=metrics,
        shutdown=ShutdownRequest(parts.request_stop),
        tokens=AccessTokenStore(parts.store),
        webhooks=webhooks,
        supported_codecs=parts.supported_codecs,
        check_ffmpeg=parts.check_ffmpeg,
        schedule=ScheduleService(
            ScheduleStore(parts.store),
            settings,
            parts.clock,
            online=lambda: stream.online,
            last_connect=lambda: stream.stats.last_connect_time,
        ),
        go_live=GoLiveAnnouncer(
            [
                DiscordGoLive(lambda: settings.current, user_agent=_agent(parts, "notifications")),
                push,
            ]
        ),
        push=push,
        directory=_directory(parts, datastore),
        chatwoot=ChatwootAdmin(settings, editor),
    )


def _agent(parts: ControlPlaneParts, purpose: str) -> str:
    return f"owncastd/{parts.version} ({purpose})"


def _directory(parts: ControlPlaneParts, datastore: Datastore) -> DirectoryPinger:
    """The directory pinger over the settings of the moment and the stored registration key."""
    settings, stream = parts.settings, parts.stream

    def target() -> DirectoryTarget:
        current = settings.current
        return DirectoryTarget(
            current.directory.enabled, current.directory.service_url, current.server.url
        )

    return DirectoryPinger(
        HttpDirectoryClient(user_agent=_agent(parts, "directory")),
        target,
        online=lambda: stream.online,
        load_key=datastore.directory_registration_key,
        save_key=datastore.save_directory_registration_key,
    )


def _metrics(
    parts: ControlPlaneParts, hardware: HardwareMonitor, playback: PlaybackMetrics
) -> Metrics:
    """Prometheus over the daemon's live figures (chat figures join in `attach_chat`)."""
    settings, stream = parts.settings, parts.stream

    def ingest_kbps() -> tuple[int, int]:
        broadcaster = stream.broadcaster
        if broadcaster is None:
            return 0, 0
        return broadcaster.details.video_bitrate, broadcaster.details.audio_bitrate

    return Metrics(
        MetricSources(
            viewers=lambda: parts.viewers.count,
            online=lambda: stream.online,
            ingest_kbps=ingest_kbps,
            ffmpeg_restarts=parts.ffmpeg_restarts,
            cpu_percent=lambda: hardware.cpu.latest,
            playback_errors=lambda: playback.errors.latest,
            host=lambda: settings.current.server.url,
            chat=NoChat(),
        ),
        version=parts.version,
    )


def _webhooks(parts: ControlPlaneParts) -> WebhookService:
    """Outgoing webhooks, whose events carry Owncast's status block."""
    settings, stream = parts.settings, parts.stream

    def webhook_status() -> dict[str, object]:
        return current_status_block(
            stream,
            parts.viewers.count,
            version=OWNCAST_API_VERSION,
            stream_title=settings.current.server.stream_title,
        )

    return WebhookService(
        WebhookStore(parts.store),
        settings=settings,
        status=webhook_status,
        clock=parts.clock,
        policy=parts.webhook_policy,
        user_agent=_agent(parts, "webhooks"),
    )


class _RoomStats:
    """Chat figures for Prometheus: clients from the room, users and messages from the store
    (counted at each scrape)."""

    def __init__(self, room: ChatRoom, chat_store: ChatStore) -> None:
        self._room = room
        self._chat_store = chat_store
        self._users = 0
        self._messages = 0

    async def refresh(self) -> None:
        self._users, self._messages = await self._chat_store.counts()

    def client_count(self) -> int:
        return len(self._room.clients())

    def user_count(self) -> int:
        return self._users

    def message_count(self) -> int:
        return self._messages


def attach_chat(control: ControlPlane, room: ChatRoom, chat_store: ChatStore) -> None:
    """Feed chat figures to Prometheus and chat events to webhooks; announce a new stream
    title in chat; drop a deleted user's chat connections."""
    control.metrics.set_chat(_RoomStats(room, chat_store))
    room.subscribe(control.webhooks.on_chat_event)

    def announce_title(change: SettingsChanged) -> None:
        # Owncast's streamtitle setter (develop §5.6): a non-empty title is announced to chat.
        title = change.new.server.stream_title
        if "server.stream_title" in change.keys and title:
            room.broadcast_action(f"Stream title changed to **{title}**")

    control.editor.subscribe(announce_title)

    def drop_clients(user_id: str) -> None:
        for client in room.clients_of(user_id):
            room.drop(client, "user deleted by the admin")

    control.user_deleted.append(drop_clients)
    if control.schedule is not None:  # "this scheduled stream never started"
        control.schedule.chat_warning.append(room.send_system_message)
        room.scheduled_chat_open = control.schedule.chat_window_open


async def build_chat(
    store: Store,
    settings: SettingsRef,
    stream: Stream,
    clock: Callable[[], datetime],
    data_dir: Path,
    max_clients: int,
) -> ChatServices:
    """Wire the chat room over the store. The profanity lists (~0.25 s to build) load on a
    worker thread when the slur filter is on, else only once it is switched on and used."""
    profanity = DeferredProfanityCheck()
    if settings.current.chat.slur_filter_enabled:
        await trio.to_thread.run_sync(profanity.load)
    chat_store = ChatStore(store)
    room = ChatRoom(
        repo=chat_store,
        settings=settings,
        stream=stream,
        clock=clock,
        profanity=profanity,
        max_clients=max_clients,
        emoji=EmojiDirectory(data_dir / "emoji"),
    )
    return ChatServices(room=room, store=chat_store, emoji_dir=data_dir / "emoji")


def build_chatwoot(
    store: Store, room: ChatRoom, settings_ref: SettingsRef, control: ControlPlane
) -> ChatwootBridge:
    """The Chatwoot bridge (its routes answer 404 while it is disabled), reading the
    `[chatwoot]` section on each use and reaching Chatwoot with the client for it; it reports
    its queue and last error to `chatwoot status`."""
    api = LiveChatwoot(lambda: settings_ref.current.chatwoot)

    def settings() -> BridgeSettings:
        return from_section(settings_ref.current.chatwoot)

    bridge = ChatwootBridge(ChatwootStore(store), api, settings, room_sink(room))
    lookup = ChatLookup(store)
    bridge.escalations = Escalations(bridge, room, lookup, time.time)
    attach_relay(bridge, room, lookup.ensure_bot_user)
    if isinstance(control.chatwoot, ChatwootAdmin):
        control.chatwoot.status_source = bridge
    return bridge


def build_replays(
    store: Store,
    settings: SettingsRef,
    data_dir: Path,
    clock: Callable[[], datetime],
    ffmpeg: str,
    viewers: ViewerTracker,
) -> ReplayServices:
    """Recordings of every broadcast (issue 14) under `data_dir/recordings`."""
    library = ReplayLibrary(
        ReplayStore(store), RecordingFiles(data_dir / "recordings"), settings, clock, ffmpeg
    )
    recorder = Recorder(
        library,
        settings,
        hls_dir=data_dir / "hls",
        thumbnail=data_dir / "tmp" / "thumbnail.jpg",
        title=lambda: settings.current.server.stream_title,
        viewers=lambda: viewers.count,
    )
    return ReplayServices(library, recorder)


async def run_replays(
    replays: ReplayServices, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
) -> None:
    """Close what a crash left open, then record broadcasts and apply retention."""
    async with trio.open_nursery() as nursery:
        await nursery.start(replays.library.run)
        if replays.recorder is not None:
            await nursery.start(replays.recorder.run)
        task_status.started()

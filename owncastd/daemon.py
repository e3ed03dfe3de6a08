"""The composition root: builds every service, wires them together and runs them.

Nursery tree (DESIGN.md):

    root ── signal watcher, store writer
     └── services ── stream timers, viewer expiry, transcoder, HLS janitor, http
          └── ingest ── rtmp server (opens last, closes first)

Nothing else in the daemon constructs services or imports more than one adapter.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import trio

from owncastd import VERSION
from owncastd.cluster_wiring import build_cluster, run_cluster
from owncastd.config.settings import Settings, SettingsRef
from owncastd.core.chat.room import ChatRoom
from owncastd.core.codecs import LastRefusal
from owncastd.core.events import EventBus
from owncastd.core.heap_freeze import freeze_heap_when
from owncastd.core.offload import Offload
from owncastd.core.snapshot_demand import SnapshotDemand
from owncastd.core.stream import Stream, restore_stats
from owncastd.core.viewers import ViewerTracker
from owncastd.daemon_paths import DaemonPaths
from owncastd.federation_wiring import build_federation
from owncastd.hls.command import segment_seconds
from owncastd.hls.ffmpeg_check import ffmpeg_path_problem
from owncastd.hls.ffmpeg_facts import FfmpegFacts
from owncastd.hls.llhls.live import LowLatencyOutput
from owncastd.hls.output import HlsOutput
from owncastd.hls.thumbnails import ThumbnailMaker
from owncastd.hls.transcoder import TranscoderService
from owncastd.http.chat.asgi_socket import ChatAsgiFallback
from owncastd.http.chat.context import ChatServices
from owncastd.http.context import WebContext, WebPaths
from owncastd.http.lazy_app import AsgiApp, LazyApp
from owncastd.http.transport.chat_socket import serve_chat_socket
from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import (
    CHAT_MAX_PER_IP,
    address_matcher,
    chat_clients_for,
    max_connections_for,
    per_ip_counter,
    web_limits,
)
from owncastd.identity_wiring import build_identity
from owncastd.log_buffer import LogBuffer
from owncastd.logs import TRANSCODER_LOG_FILE
from owncastd.notify import sd_notify
from owncastd.ops.appliance import Appliance, ApplianceOptions
from owncastd.ops.file_modes import tighten_data_files
from owncastd.ops.lock import DataDirLock
from owncastd.ops.open_files import raise_open_files_limit
from owncastd.rtmp.server import RtmpServer
from owncastd.storage.settings_check import s3_storage
from owncastd.store.database import Store
from owncastd.store.stats import StatsRepository
from owncastd.wiring import (
    ControlPlaneParts,
    attach_chat,
    build_chat,
    build_chatwoot,
    build_control_plane,
    build_replays,
    run_control_plane,
    run_replays,
)

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def stream_keys_of(settings_ref: SettingsRef) -> Callable[[], list[str]]:
    """The keys a publisher may use: the configured ones plus a temporary `--streamkey`."""

    def keys() -> list[str]:
        settings = settings_ref.current
        configured = [k.key for k in settings.rtmp.stream_keys]
        temporary = settings.temporary_stream_key
        return [*configured, temporary] if temporary else configured

    return keys


async def build_web_app(web: WebContext, facts: FfmpegFacts) -> AsgiApp:
    """The quart app (imported after ready, see http/lazy_app.py), once ffmpeg has listed its
    encoders: the admin's codec settings are checked against them."""
    from owncastd.http.app import create_app

    codecs = await facts.codecs()
    if web.control is not None:
        web = replace(web, control=replace(web.control, supported_codecs=codecs))
    return create_app(web)  # type: ignore[return-value]


class Daemon:
    """One owncastd: run it with `trio.run(daemon.run)`."""

    def __init__(
        self,
        settings: Settings,
        *,
        ffmpeg: str,
        clock: Callable[[], datetime] = utc_now,
        appliance: ApplianceOptions | None = None,
        config_path: Path | None = None,
        log_buffer: LogBuffer | None = None,
    ):
        self.settings = SettingsRef(settings)
        # The file the admin API edits (None: admin changes stay in memory).
        self.config_path = config_path
        # The in-memory log behind /api/admin/logs (the CLI installs it on the root logger).
        self.log_buffer = log_buffer if log_buffer is not None else LogBuffer()
        self.paths = DaemonPaths.from_settings(settings)
        self._ffmpeg = ffmpeg
        self._clock = clock
        self._stop = trio.Event()
        self._appliance_options = appliance or ApplianceOptions(automatic_backups=False)
        self.appliance: Appliance | None = None
        self._open_files = 1024
        self.web_app: LazyApp | None = None  # built after ready (or by its first request)
        self._http: HttpServer | None = None

    def request_stop(self) -> None:
        """Begin a graceful shutdown."""
        self._stop.set()

    async def run(
        self, *, task_status: trio.TaskStatus[tuple[int, int]] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Run until SIGTERM/SIGINT (or `request_stop`); `started((http_port, rtmp_port))`.

        Raises StartupError (DataDirLockedError) when another daemon uses the data directory.
        """
        with DataDirLock(self.paths.data_dir):
            self._open_files = raise_open_files_limit().soft
            self._prepare_directories()
            backups = self.settings.current.paths.backup_dir
            store = Store(
                self.paths.database,
                backup_dir=Path(backups) if backups else self.paths.data_dir / "backup",
            )
            self.appliance = Appliance(
                self.settings, store, self._appliance_options, clock=self._clock
            )
            facts = FfmpegFacts(self._ffmpeg)
            async with trio.open_nursery() as root:
                root.start_soon(self._watch_signals)
                await root.start(facts.run)  # ffmpeg's answers are awaited where needed
                await root.start(store.run)
                self.appliance.health.set_up("store", True)
                await root.start(self.appliance.run)
                await self._run_services(store, facts, task_status)
                root.cancel_scope.cancel()
        log.info("stopped")

    async def _stream(self, store: Store, bus: EventBus) -> Stream:
        """The stream state over its saved statistics."""
        settings = self.settings
        stats_repo = StatsRepository(store)
        return Stream(
            bus=bus,
            stream_keys=stream_keys_of(settings),
            segment_seconds=lambda: segment_seconds(settings.current.video.latency_level),
            stats=restore_stats(await stats_repo.load(), self._clock()),
            stats_sink=stats_repo,
            clock=self._clock,
        )

    def _transcoder(
        self, stream: Stream, snapshots: SnapshotDemand, offload: Offload
    ) -> TranscoderService:
        """ffmpeg's supervisor, writing HLS under the data directory (and to S3 when on)."""
        settings = self.settings
        return TranscoderService(
            stream=stream,
            output=HlsOutput(self.paths.hls_dir),
            ffmpeg=self._ffmpeg,
            video_settings=lambda: settings.current.video,
            thumbnails=ThumbnailMaker(self._ffmpeg, self.paths.tmp_dir, snapshots),
            log_file=self.paths.log_dir / TRANSCODER_LOG_FILE,
            offload=offload,
            low_latency=LowLatencyOutput(),  # LL-HLS when [video] low_latency is on
        )

    async def _run_services(
        self, store: Store, facts: FfmpegFacts, task_status: trio.TaskStatus[tuple[int, int]]
    ) -> None:
        settings = self.settings
        bus = EventBus()
        stream = await self._stream(store, bus)
        viewers = ViewerTracker(stream, self._clock)
        bus.subscribe(viewers.on_event)
        appliance = self.appliance
        assert appliance is not None
        appliance.attach_stream(lambda: stream.is_live)
        appliance.health.add_check("ingest", stream.ingest_problem)  # a stuck session
        offload = Offload(lambda: s3_storage(settings.current))
        appliance.health.add_check("s3", offload.problem)  # bucket unreachable: degraded
        transcoder = self._transcoder(stream, snapshots := SnapshotDemand(), offload)
        bus.subscribe(transcoder.on_event)
        chat = await self._chat(store, stream)
        control = build_control_plane(
            ControlPlaneParts(
                settings=settings,
                config_path=self.config_path,
                store=store,
                stream=stream,
                viewers=viewers,
                data_dir=self.paths.data_dir,
                clock=self._clock,
                version=VERSION,
                logs=self.log_buffer,
                request_stop=self.request_stop,
                check_ffmpeg=ffmpeg_path_problem,
                ffmpeg_restarts=lambda: transcoder.restarts,
            )
        )
        appliance.share_config_lock(control.editor.lock)  # reloads and admin edits take turns
        bus.subscribe(chat.room.on_stream_event)
        bus.subscribe(control.webhooks.on_stream_event)
        for listener in (control.go_live, control.directory):
            if listener is not None:
                bus.subscribe(listener.on_stream_event)
        attach_chat(control, chat.room, chat.store)
        replays = build_replays(
            store, settings, self.paths.data_dir, self._clock, self._ffmpeg, viewers
        )
        if replays.recorder is not None:
            bus.subscribe(replays.recorder.on_event)
            appliance.health.add_check("replays", replays.recorder.problem)
        web = WebContext(
            chat=chat,
            settings=settings,
            stream=stream,
            viewers=viewers,
            paths=self._web_paths(),
            version=VERSION,
            clock=self._clock,
            operations=appliance.operations,
            control=control,
            config_path=self.config_path,
            snapshots=snapshots,
            chatwoot=(chatwoot := build_chatwoot(store, chat.room, settings, control)),
            replays=replays,
            low_latency=transcoder.low_latency,
            federation=(
                fed := build_federation(
                    store, settings, control, chat.room, stream, self.paths.tmp_dir
                )
            ),
            identity=build_identity(
                store, chat.room, settings, self._clock, version=VERSION, messenger=fed.direct
            ),
            cluster=(cluster := build_cluster(settings, store, chat.room, viewers, control)),
        )
        control.user_deleted.append(chatwoot.repo.forget_user)  # their private thread too
        if cluster is not None:  # Redis down: degraded, named
            appliance.health.add_check("cluster", cluster.problem)
        async with trio.open_nursery() as services:
            await services.start(stream.run)
            await services.start(viewers.run)
            await services.start(transcoder.run)
            await services.start(chat.room.run)
            await services.start(run_control_plane, control)
            await services.start(chatwoot.run)
            await services.start(run_replays, replays)
            await services.start(fed.inbox.run)
            await services.start(run_cluster, cluster)
            for outbound in (fed.deliveries, fed.updates):
                if outbound is not None:
                    await services.start(outbound.run)
            http = self._http_server(web, chat.room, facts)
            appliance.operations.web.attach(http.status_json)
            http_port = await services.start(http.run)
            appliance.health.set_up("http", True)
            await self._serve_ingest(stream, http_port, facts, task_status)
            services.cancel_scope.cancel()

    async def _chat(self, store: Store, stream: Stream) -> ChatServices:
        """The chat services (with the slur filter on, its word lists load on a thread)."""
        return await build_chat(
            store,
            self.settings,
            stream,
            self._clock,
            self.paths.data_dir,
            max_clients=chat_clients_for(self._open_files),
        )

    async def _serve_ingest(
        self,
        stream: Stream,
        http_port: int,
        facts: FfmpegFacts,
        task_status: trio.TaskStatus[tuple[int, int]],
    ) -> None:
        """RTMP opens last and closes first: from ready until a stop is asked for."""
        appliance = self.appliance
        assert appliance is not None
        current = self.settings.current
        refusals = LastRefusal()
        appliance.health.add_check("publish", refusals.problem)
        async with trio.open_nursery() as ingest:
            rtmp = RtmpServer(
                stream, current.rtmp.ip, current.rtmp.port, formats=facts.formats, refusals=refusals
            )
            rtmp_port = await ingest.start(rtmp.run)
            appliance.health.set_up("rtmp", True)
            log.info("ready http=%d rtmp=%d", http_port, rtmp_port)
            sd_notify("READY=1\nSTATUS=serving")
            task_status.started((http_port, rtmp_port))
            if self._http is not None and self.web_app is not None:
                self._http.warm_up()  # hypercorn's server and the web app load now
                ingest.start_soon(freeze_heap_when, self.web_app.started_app)
            await self._stop.wait()
            log.info("stopping")
            sd_notify("STOPPING=1")
            appliance.health.set_up("rtmp", False)
            ingest.cancel_scope.cancel()

    def _web_paths(self) -> WebPaths:
        return WebPaths(
            data_dir=self.paths.data_dir,
            hls_dir=self.paths.hls_dir,
            thumbnails_dir=self.paths.tmp_dir,
            public_dir=self.paths.public_dir,
        )

    def _http_server(self, web: WebContext, room: ChatRoom, facts: FfmpegFacts) -> HttpServer:
        """The web port, its connection caps scaled to the open-files limit."""
        settings = self.settings
        current = settings.current
        # A reverse proxy connects from a trusted proxy address for all its clients: those
        # addresses skip the per-IP caps (loopback by default), not the total one.
        proxy = address_matcher(lambda: settings.current.web.trusted_proxies)
        limits = web_limits(current.web, max_connections_for(self._open_files), proxy)
        chat_per_ip = per_ip_counter(CHAT_MAX_PER_IP, proxy)
        self.web_app = LazyApp("owncastd.http.app", partial(build_web_app, web, facts))
        self._http = HttpServer(
            ChatAsgiFallback(self.web_app, room, per_ip=chat_per_ip),
            current.web.ip,
            current.web.port,
            access_log=current.verbose_logging,
            websocket=partial(serve_chat_socket, room=room, per_ip=chat_per_ip),
            limits=limits,
            fast_path=web if current.web.fast_path else None,
        )
        return self._http

    def _prepare_directories(self) -> None:
        tighten_data_files(self.paths.data_dir, self.paths.database)
        for directory in (self.paths.data_dir, self.paths.log_dir, self.paths.public_dir):
            directory.mkdir(parents=True, exist_ok=True)
        tmp = self.paths.tmp_dir
        if tmp.exists():
            for child in tmp.iterdir():
                if child.is_file():
                    child.unlink()
        tmp.mkdir(parents=True, exist_ok=True)

    async def _watch_signals(self) -> None:
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
            async for signum in signals:
                if signum == signal.SIGHUP:
                    log.info("signal received signal=SIGHUP")
                    if self.appliance is not None:
                        self.appliance.request_reload("SIGHUP")
                elif self._stop.is_set():
                    log.warning("second stop signal; exiting immediately")
                    os._exit(1)
                else:
                    log.info("signal received signal=%s", signal.Signals(signum).name)
                    self._stop.set()

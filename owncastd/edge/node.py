"""Building and running an edge node (issue 18): the front door with the chat sockets of an
`EdgeChat`, the viewer routes of `EdgeWeb`, and the Redis session of `EdgeBus`. No database,
no RTMP, no transcoder: the daemon's composition (`daemon.py`, `wiring.py`) is not involved."""

from __future__ import annotations

import json
import logging
import signal
import time
from functools import partial
from typing import Any

import httpx
import trio

from owncastd import VERSION
from owncastd.config.settings import Settings, SettingsRef
from owncastd.edge.bus import EdgeBus
from owncastd.edge.chat import EdgeChat
from owncastd.edge.config import EdgeConfig
from owncastd.edge.health import EdgeHealth
from owncastd.edge.origin import SECRET_REFUSED, OriginClient, SecretRefusedError
from owncastd.edge.web import EdgeViewers, EdgeWeb
from owncastd.http.chat.asgi_socket import ChatAsgiFallback
from owncastd.http.transport.chat_socket import serve_chat_socket
from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import (
    CHAT_MAX_PER_IP,
    address_matcher,
    max_connections_for,
    per_ip_counter,
    web_limits,
)
from owncastd.notify import sd_notify
from owncastd.ops.open_files import raise_open_files_limit

log = logging.getLogger(__name__)

CONFIG_SECONDS = 10.0  # how often the origin's chat switch is read (and on chat_config)
CONFIG_TTL = 2.0


class EdgeNode:
    """One edge: serves viewers on `[web]`'s address and talks to the origin and Redis."""

    def __init__(self, settings: Settings, config: EdgeConfig) -> None:
        self.settings = SettingsRef(settings)
        self.config = config
        self.http = httpx.AsyncClient(follow_redirects=False)
        self.origin = OriginClient(config, self.http)
        self.viewers = EdgeViewers()
        self.chat = EdgeChat(
            edge_id=config.edge_id,
            settings=self.settings,
            token_check=self.origin.user_for_token,
            post=self._post,
            # A restarted edge (same id) must not reuse the ids its previous run gave, which
            # the origin may still hold until the edge's TTL runs out.
            first_id=int(time.time() * 1000),
        )
        self.bus: EdgeBus | None = None
        self.health = EdgeHealth(self.origin, lambda: self.bus is not None and self.bus.redis_ok)
        self.port = 0
        self._stop = trio.Event()
        self._config_changed = trio.Event()

    def _post(self, entry: dict[str, str]) -> bool:
        return self.bus.post(entry) if self.bus is not None else False

    def on_control(self, control: dict[str, Any]) -> None:
        """A `P:cluster:control` message from the origin (contract §4)."""
        kind = control.get("type")
        if kind == "origin_started":
            self.chat.resync()
        elif kind == "disconnect":
            closed = self.chat.disconnect(str(control.get("target", "")))
            log.info("edge closed chat sockets on origin request count=%d", closed)
        elif kind == "token_revoked":
            self.origin.revoke(str(control.get("user", "")))
        elif kind == "chat_config":
            self.origin.forget()
            self._config_changed.set()

    def stats(self) -> dict[str, str]:
        """The heartbeat's figures (contract §5)."""
        return {
            "sockets": str(len(self.chat.clients())),
            "viewers": str(self.viewers.count),
            "version": VERSION,
        }

    def _server(self) -> HttpServer:
        current = self.settings.current
        proxy = address_matcher(lambda: self.settings.current.web.trusted_proxies)
        limits = web_limits(current.web, max_connections_for(raise_open_files_limit().soft), proxy)
        per_ip = per_ip_counter(CHAT_MAX_PER_IP, proxy)
        return HttpServer(  # upgrades on reused keep-alive connections take the ASGI fallback
            ChatAsgiFallback(
                EdgeWeb(self.origin, self.viewers, self.settings, self.health),
                self.chat,
                per_ip=per_ip,
            ),
            current.web.ip,
            current.web.port,
            access_log=current.verbose_logging,
            websocket=partial(serve_chat_socket, room=self.chat, per_ip=per_ip),
            limits=limits,
        )

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled or SIGTERM/SIGINT; `task_status.started(http_port)`."""
        async with self.http, trio.open_nursery() as nursery:
            if await self.origin.check_secret() is False:  # unreachable: it may start later
                raise SecretRefusedError(SECRET_REFUSED)
            self.port = await nursery.start(self._server().run)
            self.config = self.config.with_port(self.port)
            self.chat.edge_id = self.config.edge_id
            self.bus = EdgeBus(self.config, self.chat, on_control=self.on_control, stats=self.stats)
            await nursery.start(self.bus.run)
            nursery.start_soon(self._follow_config)
            log.info(
                "edge ready http=%d edge_id=%s origin=%s",
                self.port,
                self.config.edge_id,
                self.config.origin_url,
            )
            log.info("ready http=%d rtmp=0", self.port)
            sd_notify("READY=1")
            task_status.started(self.port)
            async with trio.open_nursery() as waiting:
                waiting.start_soon(self._until_signal, waiting.cancel_scope)
                await self._stop.wait()
                waiting.cancel_scope.cancel()
            await self.bus.goodbye(self.chat.detach())
            nursery.cancel_scope.cancel()

    async def _follow_config(self) -> None:
        """Keep the origin's chat switch (`chatDisabled`): every 10 s and on `chat_config`."""
        while True:
            try:
                fetched = await self.origin.fetch("/api/config", "", CONFIG_TTL)
                if fetched.status == 200:
                    self.chat.chat_disabled = bool(json.loads(fetched.body).get("chatDisabled"))
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                log.warning("edge could not read the origin's config error=%s", type(exc).__name__)
            with trio.move_on_after(CONFIG_SECONDS):
                await self._config_changed.wait()
            self._config_changed = trio.Event()

    def stop(self) -> None:
        """Stop as on SIGTERM: tell the origin this edge's sockets are gone, then close."""
        self._stop.set()

    async def _until_signal(self, scope: trio.CancelScope) -> None:
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                log.info("signal received signal=%s", signal.Signals(signum).name)
                self._stop.set()
                return

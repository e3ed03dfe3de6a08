"""A real server with chat and the control plane, for access tokens, integrations and webhooks.

Wired as `daemon.py` wires it: a real `owncast.toml` (the documented sample) behind the
ConfigEditor, a SQLite Store, the chat room with its listeners, the webhooks service running
(with a test-sized delivery policy) and the front door with `/ws` on a loopback port 0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import trio

from owncastd.config import ConfigFlags, load_config
from owncastd.core.chat.room import ChatRoom
from owncastd.core.events import EventBus
from owncastd.core.stream import Stream, StreamStats
from owncastd.core.viewers import ViewerTracker
from owncastd.http.app import create_app
from owncastd.http.chat_asgi import ChatAsgiFallback
from owncastd.http.chat_context import ChatServices
from owncastd.http.chat_socket import serve_chat_socket
from owncastd.http.context import WebContext, WebPaths
from owncastd.http.control import (
    ControlPlane,
    ControlPlaneParts,
    attach_chat,
    build_control_plane,
)
from owncastd.http.server import HttpServer
from owncastd.log_buffer import LogBuffer
from owncastd.settings import SettingsRef
from owncastd.store.chat import ChatStore
from owncastd.store.database import Store
from owncastd.webhooks.delivery import DeliveryPolicy
from tests.chat_ws_client import ChatWs, Refused
from tests.component.admin_fixtures import write_config
from tests.component.http_fixtures import (
    ADMIN_PASSWORD,
    START,
    VERSION,
    RecordingStatsSink,
    WallClock,
)

ADMIN_AUTH = ("admin", ADMIN_PASSWORD)
FAST_POLICY = DeliveryPolicy(timeout=1.0, attempts=3, backoff=0.2, workers=10, queue_size=100)


@dataclass
class IntegrationServer:
    """The running server and handles on what is behind it."""

    port: int
    room: ChatRoom
    chat_store: ChatStore
    control: ControlPlane
    stream: Stream
    settings: SettingsRef
    wall: WallClock
    config_path: Path
    logs: LogBuffer
    store: Store

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def http(self) -> httpx.AsyncClient:
        """An HTTP client for this server (no auth)."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request as the admin."""
        async with self.http() as client:
            return await client.request(method, path, auth=ADMIN_AUTH, **kwargs)

    async def bearer(
        self, method: str, path: str, token: str, *, scheme: str = "Bearer", **kwargs: Any
    ) -> httpx.Response:
        """A request with `Authorization: <scheme> <token>`."""
        headers = {"Authorization": f"{scheme} {token}", **kwargs.pop("headers", {})}
        async with self.http() as client:
            return await client.request(method, path, headers=headers, **kwargs)

    async def create_token(self, *scopes: str, name: str = "test bot") -> dict[str, Any]:
        """`POST /api/admin/accesstokens/create` → the token object."""
        response = await self.admin(
            "POST", "/api/admin/accesstokens/create", json={"name": name, "scopes": list(scopes)}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def create_webhook(self, url: str, *events: str) -> dict[str, Any]:
        """`POST /api/admin/webhooks/create` → the webhook object."""
        response = await self.admin(
            "POST", "/api/admin/webhooks/create", json={"url": url, "events": list(events)}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def join(self, name: str) -> tuple[dict[str, Any], ChatWs]:
        """Register a chat user and connect; CONNECTED_USER_INFO has been read."""
        async with self.http() as client:
            user = (await client.post("/api/chat/register", json={"displayName": name})).json()
        ws = await ChatWs.connect(self.port, user["accessToken"])
        assert not isinstance(ws, Refused), ws
        await ws.next_event("CONNECTED_USER_INFO")
        return user, ws

    def configure(self, section: str, **changes: Any) -> None:
        """Replace fields of one settings section in memory (applies live)."""
        current = self.settings.current
        part = replace(getattr(current, section), **changes)
        self.settings.replace(replace(current, **{section: part}))

    @contextmanager
    def capture_logs(self) -> Iterator[LogBuffer]:
        """Feed owncastd's log records into the admin log buffer while inside."""
        logger = logging.getLogger("owncastd")
        old_level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self.logs)
        try:
            yield self.logs
        finally:
            logger.removeHandler(self.logs)
            logger.setLevel(old_level)


async def start_integration_server(
    nursery: trio.Nursery, tmp_path: Path, policy: DeliveryPolicy = FAST_POLICY
) -> IntegrationServer:
    """Build and start everything in `nursery`; returns once the port is listening."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    config_path = write_config(data_dir)
    settings = SettingsRef(
        load_config(
            config_path=config_path, data_dir=data_dir, environ={}, flags=ConfigFlags()
        ).settings
    )
    wall = WallClock(START)
    bus = EventBus()
    stream = Stream(
        bus=bus,
        stream_keys=lambda: ["stream-key"],
        segment_seconds=lambda: 2,
        stats=StreamStats(),
        stats_sink=RecordingStatsSink(),
        clock=wall,
    )
    viewers = ViewerTracker(stream, wall)
    bus.subscribe(viewers.on_event)
    paths = WebPaths(
        data_dir=data_dir,
        hls_dir=data_dir / "hls",
        thumbnails_dir=data_dir / "tmp",
        public_dir=data_dir / "public",
    )
    for directory in (paths.hls_dir, paths.thumbnails_dir, paths.public_dir):
        directory.mkdir(parents=True)
    store = Store(data_dir / "owncast.db")
    await nursery.start(store.run)
    logs = LogBuffer()
    control = build_control_plane(
        ControlPlaneParts(
            settings=settings,
            config_path=config_path,
            store=store,
            stream=stream,
            viewers=viewers,
            data_dir=data_dir,
            clock=wall,
            version=VERSION,
            logs=logs,
            request_stop=lambda: None,
            webhook_policy=policy,
        )
    )
    chat_store = ChatStore(store)
    room = ChatRoom(repo=chat_store, settings=settings, stream=stream, clock=wall)
    bus.subscribe(room.on_stream_event)
    bus.subscribe(control.webhooks.on_stream_event)
    attach_chat(control, room)
    chat = ChatServices(room=room, store=chat_store, emoji_dir=data_dir / "emoji")
    ctx = WebContext(
        settings=settings,
        stream=stream,
        viewers=viewers,
        paths=paths,
        version=VERSION,
        clock=wall,
        chat=chat,
        control=control,
        config_path=config_path,
    )
    await nursery.start(stream.run)
    await nursery.start(room.run)
    await nursery.start(control.webhooks.run)
    server = HttpServer(
        ChatAsgiFallback(create_app(ctx), room),
        "127.0.0.1",
        0,
        websocket=partial(serve_chat_socket, room=room),
    )
    port = await nursery.start(server.run)
    return IntegrationServer(
        port, room, chat_store, control, stream, settings, wall, config_path, logs, store
    )

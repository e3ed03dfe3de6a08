"""A real server with chat and the control plane, for access tokens, integrations and webhooks.

Wired as `daemon.py` wires it: a real `owncast.toml` (the documented sample) behind the
ConfigEditor, a SQLite Store, the chat room with its listeners, the webhooks service running
(with a test-sized delivery policy) and the front door with `/ws` on a loopback port 0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.room import ChatRoom
from owncastd.core.stream import Stream
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.app import create_app
from owncastd.log_buffer import LogBuffer
from owncastd.store.chat import ChatStore
from owncastd.store.database import Store
from owncastd.webhooks.delivery import DeliveryPolicy
from owncastd.wiring import attach_chat
from tests.chat_ws_client import ChatWs, Refused
from tests.component.app_fixtures import (
    ADMIN_PASSWORD,
    WallClock,
    config_core,
    configure,
    start_store,
)
from tests.component.chat_fixtures import chat_services, serve_chat_app

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
        configure(self.settings, section, **changes)

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
    core = config_core(tmp_path)
    assert core.config_path is not None
    store = await start_store(nursery, core.data_dir)
    logs = LogBuffer()
    control = core.control_plane(store, logs, request_stop=lambda: None, webhook_policy=policy)
    chat = chat_services(core, store)
    core.bus.subscribe(control.webhooks.on_stream_event)
    attach_chat(control, chat.room, chat.store)
    ctx = core.context(chat=chat, control=control, config_path=core.config_path)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    await nursery.start(control.webhooks.run)
    port = await serve_chat_app(nursery, create_app(ctx), chat.room)
    return IntegrationServer(
        port,
        chat.room,
        chat.store,
        control,
        core.stream,
        core.settings,
        core.wall,
        core.config_path,
        logs,
        store,
    )

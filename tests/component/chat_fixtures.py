"""A real chat server for component tests: the web app with chat over a real SQLite Store,
served by the real front door (`HttpServer` with the `/ws` handler) on a loopback port 0.

Clients are real: httpx for HTTP and `tests.chat_ws_client.ChatWs` for the websocket.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from quart_trio import QuartTrio

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.emoji_catalog import EmojiDirectory
from owncastd.core.chat.room import ChatRoom
from owncastd.core.chat.slurs import GlinProfanityCheck, ProfanityCheck
from owncastd.core.events import EventBus
from owncastd.core.stream import Stream
from owncastd.http.app import create_app
from owncastd.http.chat.asgi_socket import ChatAsgiFallback
from owncastd.http.chat.context import ChatServices
from owncastd.http.context import WebContext
from owncastd.http.transport.chat_socket import READ_TIMEOUT, serve_chat_socket
from owncastd.http.transport.front_door import WEBSOCKET_PING_INTERVAL, HttpServer
from owncastd.http.transport.limits import ConnectionCounter
from owncastd.store.chat import ChatStore
from owncastd.store.database import Store
from tests.chat_ws_client import ChatWs, Refused
from tests.component.app_fixtures import (
    ADMIN_PASSWORD,
    AppCore,
    WallClock,
    build_core,
    configure,
    default_settings,
    start_store,
)


def chat_services(core: AppCore, store: Store, **room_options: Any) -> ChatServices:
    """The chat room over `store`, listening on the core's bus: the daemon's `build_chat`
    without its fixed profanity list and connection cap (`room_options` go to ChatRoom)."""
    chat_store = ChatStore(store)
    room_options.setdefault("emoji", EmojiDirectory(core.data_dir / "emoji"))
    room = ChatRoom(
        repo=chat_store,
        settings=core.settings,
        stream=core.stream,
        clock=core.wall,
        **room_options,
    )
    core.bus.subscribe(room.on_stream_event)
    return ChatServices(room=room, store=chat_store, emoji_dir=core.data_dir / "emoji")


async def serve_chat_app(
    nursery: trio.Nursery,
    app: QuartTrio,
    room: ChatRoom,
    *,
    read_timeout: float = READ_TIMEOUT,
    ping_interval: float | None = WEBSOCKET_PING_INTERVAL,
    per_ip: ConnectionCounter | None = None,
    fast_path: WebContext | None = None,
) -> int:
    """The front door (`/ws` on the room, the ASGI fallback) on loopback; the port it took.
    `per_ip` caps chat sockets per address on both paths; `fast_path`: the lean path too."""
    server = HttpServer(
        ChatAsgiFallback(app, room, read_timeout=read_timeout, per_ip=per_ip),
        "127.0.0.1",
        0,
        websocket=partial(serve_chat_socket, room=room, per_ip=per_ip),
        ping_interval=ping_interval,
        fast_path=fast_path,
    )
    port: int = await nursery.start(server.run)
    return port


@dataclass
class ChatServer:
    """The running server and handles on what is behind it."""

    port: int
    room: ChatRoom
    store: ChatStore
    stream: Stream
    bus: EventBus
    settings: SettingsRef
    wall: WallClock
    data_dir: Path

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def configure(self, section: str, **changes: Any) -> None:
        """Replace fields of one settings section (applies live)."""
        configure(self.settings, section, **changes)

    def http(self) -> httpx.AsyncClient:
        """An HTTP client for this server."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def register(self, name: str | None = None, **headers: str) -> dict[str, Any]:
        """POST /api/chat/register → `{id, accessToken, displayName}`."""
        async with self.http() as client:
            body = {"displayName": name} if name is not None else {}
            response = await client.post("/api/chat/register", json=body, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

    async def connect(self, token: str | None, **kwargs: Any) -> ChatWs:
        """A connected websocket (fails the test if the server refuses)."""
        ws = await ChatWs.connect(self.port, token, **kwargs)
        assert not isinstance(ws, Refused), ws
        return ws

    async def join(self, name: str | None = None) -> tuple[dict[str, Any], ChatWs]:
        """Register and connect; the CONNECTED_USER_INFO has been read."""
        user = await self.register(name)
        ws = await self.connect(user["accessToken"])
        info = await ws.next_event("CONNECTED_USER_INFO")
        assert info["user"]["id"] == user["id"]
        return user, ws

    async def admin_get(self, path: str) -> Any:
        """GET an admin route as the admin; the JSON body."""
        async with self.http() as client:
            response = await client.get(path, auth=("admin", ADMIN_PASSWORD))
            assert response.status_code == 200, response.text
            return response.json()

    async def admin_post(self, path: str, payload: Any) -> httpx.Response:
        """POST JSON to an admin route as the admin."""
        async with self.http() as client:
            return await client.post(path, json=payload, auth=("admin", ADMIN_PASSWORD))

    def go_live(self) -> None:
        """A publisher connects (chat treats the stream as live from here)."""
        self.stream.begin("203.0.113.9")


async def start_chat_server(
    nursery: trio.Nursery,
    tmp_path: Path,
    *,
    profanity: ProfanityCheck | None = None,
    max_clients: int = 10_000,
    fallback_read_timeout: float = READ_TIMEOUT,
    ping_interval: float | None = WEBSOCKET_PING_INTERVAL,
    per_ip: ConnectionCounter | None = None,
) -> ChatServer:
    """Build and start everything in `nursery`; returns once the port is listening.

    `fallback_read_timeout` and `ping_interval` are the ASGI `/ws` fallback's read deadline
    and hypercorn's websocket ping period (short values keep keep-alive tests fast).
    """
    core = build_core(tmp_path / "data", default_settings())
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store, profanity=profanity, max_clients=max_clients)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    port = await serve_chat_app(
        nursery,
        create_app(core.context(chat=chat)),
        chat.room,
        read_timeout=fallback_read_timeout,
        ping_interval=ping_interval,
        per_ip=per_ip,
    )
    return ChatServer(
        port, chat.room, chat.store, core.stream, core.bus, core.settings, core.wall, core.data_dir
    )


@pytest.fixture(name="chat")
async def chat_fixture(tmp_path: Path, nursery: trio.Nursery) -> ChatServer:
    """A chat server with the real slur filter available (off by default, as in Owncast)."""
    profanity = await trio.to_thread.run_sync(GlinProfanityCheck)
    return await start_chat_server(nursery, tmp_path, profanity=profanity)

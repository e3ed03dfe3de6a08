"""A federating server for tests: the web app with chat, the control plane and federation over
a real SQLite store, served by the real front door on loopback, with `server_url` pointing at
itself and private addresses allowed (loopback federation)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import trio

from owncastd.core.federation import iris
from owncastd.federation_wiring import build_federation
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.app import create_app
from owncastd.http.federation.services import FederationWeb
from owncastd.identity_wiring import build_identity
from owncastd.log_buffer import LogBuffer
from owncastd.store.database import Store
from tests.chat_ws_client import ChatWs, Refused
from tests.component.app_fixtures import (
    ADMIN_PASSWORD,
    AppCore,
    build_core,
    configure,
    default_settings,
    start_store,
)
from tests.component.chat_fixtures import chat_services, serve_chat_app

AP_JSON = "application/activity+json"


@dataclass
class FederatedServer:
    """The running server and handles on what is behind it."""

    port: int
    core: AppCore
    store: Store
    control: ControlPlane
    fed: FederationWeb

    @property
    def url(self) -> str:
        """Base URL (also the configured server URL)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor(self) -> str:
        """Our actor IRI."""
        current = self.core.settings.current
        return iris.actor_iri(current.server.url, current.federation.username)

    @property
    def inbox(self) -> str:
        """Our inbox URL."""
        return f"{self.actor}/inbox"

    def configure(self, section: str, **changes: Any) -> None:
        """Replace fields of one settings section (applies live)."""
        configure(self.core.settings, section, **changes)

    def http(self) -> httpx.AsyncClient:
        """A client for this server."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def get(self, path: str, accept: str = AP_JSON, **kwargs: Any) -> httpx.Response:
        """GET `path` asking for ActivityPub JSON by default."""
        async with self.http() as client:
            return await client.get(path, headers={"Accept": accept}, **kwargs)

    async def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request as the admin."""
        async with self.http() as client:
            return await client.request(method, path, auth=("admin", ADMIN_PASSWORD), **kwargs)

    async def chat_client(self) -> ChatWs:
        """A registered, connected chat client (its CONNECTED_USER_INFO read)."""
        async with self.http() as client:
            user = (await client.post("/api/chat/register", json={})).json()
        ws = await ChatWs.connect(self.port, user["accessToken"])
        assert not isinstance(ws, Refused), ws
        await ws.next_event("CONNECTED_USER_INFO")
        return ws

    async def stored_rows(self) -> tuple[int, int]:
        """(followers rows, accepted activities rows) in the database."""

        def query(conn: Any) -> tuple[int, int]:
            followers = conn.execute("SELECT COUNT(*) FROM ap_followers").fetchone()[0]
            actions = conn.execute("SELECT COUNT(*) FROM ap_accepted_activities").fetchone()[0]
            return int(followers), int(actions)

        return await self.store.read(query)


async def start_federated_server(
    nursery: trio.Nursery, tmp_path: Path, *, enabled: bool = True
) -> FederatedServer:
    """Build and start everything in `nursery`; returns once the port is listening."""
    core = build_core(tmp_path / "data", default_settings())
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store)
    control = core.control_plane(store, LogBuffer(), request_stop=lambda: None)
    fed = build_federation(store, core.settings, control, chat.room, core.stream)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    await nursery.start(control.webhooks.run)
    await nursery.start(fed.inbox.run)
    assert fed.deliveries is not None and fed.updates is not None
    await nursery.start(fed.deliveries.run)
    await nursery.start(fed.updates.run)
    identity = build_identity(
        store, chat.room, core.settings, core.wall, version="test", messenger=fed.direct
    )
    app = create_app(core.context(chat=chat, control=control, federation=fed, identity=identity))
    port = await serve_chat_app(nursery, app, chat.room)
    configure(core.settings, "server", url=f"http://127.0.0.1:{port}")
    configure(core.settings, "federation", enabled=enabled, allow_private_addresses=True)
    return FederatedServer(port, core, store, control, fed)

"""A chat server with the login routes (develop §2) for the identity tests: the chat fixture's
real parts plus the identity services as `build_identity` wires them, with a recording
DirectMessenger and loopback IndieAuth pages allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from owncastd.core.federation.ports import FederationError
from owncastd.core.identity.linking import Owner
from owncastd.core.identity.services import IdentityServices
from owncastd.http.app import create_app
from owncastd.identity_wiring import build_identity
from owncastd.store.database import Store
from owncastd.store.identity import IdentityStore
from tests.component.app_fixtures import ADMIN_PASSWORD, build_core, default_settings, start_store
from tests.component.chat_fixtures import ChatServer, chat_services, serve_chat_app


@dataclass
class RecordingMessenger:
    """A DirectMessenger that keeps each DM (and fails while `failure` is set)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    failure: str = ""

    async def send_direct(self, account: str, text: str) -> None:
        if self.failure:
            raise FederationError(self.failure)
        self.sent.append((account, text))


@dataclass
class LoginServer:
    """The chat server, its identity services and the recording messenger."""

    chat: ChatServer
    identity: IdentityServices
    messenger: RecordingMessenger
    store: Store

    def http(self, **options: Any) -> httpx.AsyncClient:
        return (
            self.chat.http()
            if not options
            else httpx.AsyncClient(base_url=self.chat.url, timeout=10, **options)
        )

    async def post(self, path: str, token: str | None, body: Any) -> httpx.Response:
        params = {"accessToken": token} if token is not None else {}
        async with self.http() as client:
            return await client.post(path, params=params, json=body)

    async def identity_owner(self, identity: str, kind: str = "fediverse") -> Owner | None:
        """Who the identity is linked to, from the database."""
        return await IdentityStore(self.store).owner_of(identity, kind)

    @property
    def admin(self) -> tuple[str, str]:
        return ("admin", ADMIN_PASSWORD)


async def start_login_server(nursery: trio.Nursery, tmp_path: Path) -> LoginServer:
    """Everything started in `nursery`; `server.url` is set to the server's own address."""
    core = build_core(tmp_path / "data", default_settings())
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store)
    messenger = RecordingMessenger()
    identity = build_identity(
        store,
        chat.room,
        core.settings,
        core.wall,
        version="test",
        messenger=messenger,
        private=lambda: True,
    )
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    app = create_app(core.context(chat=chat, identity=identity))
    port = await serve_chat_app(nursery, app, chat.room)
    server = ChatServer(
        port, chat.room, chat.store, core.stream, core.bus, core.settings, core.wall, core.data_dir
    )
    server.configure("server", url=server.url)
    return LoginServer(server, identity, messenger, store)


@pytest.fixture(name="login")
async def login_fixture(tmp_path: Path, nursery: trio.Nursery) -> LoginServer:
    """A chat server with the login routes."""
    return await start_login_server(nursery, tmp_path)

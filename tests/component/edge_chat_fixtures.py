"""The chat contract through an edge (issue 18): `chat_or_edge` gives each test the single-node
`ChatServer` and, as a second parameter, an `EdgeChatServer` with the same interface: the origin
(the chat app with `[cluster] role = "origin"`) and one edge node run in-process on a real
redis-server (one per module, a fresh key prefix per test). Viewers (websockets, register, the
`/api/chat` history) talk to the edge; moderation, settings and the admin API go to the origin."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from owncastd.cluster.origin import ClusterOrigin
from owncastd.config.settings import ClusterSettings
from owncastd.core.chat.slurs import GlinProfanityCheck
from owncastd.edge.config import EdgeConfig
from owncastd.edge.node import EdgeNode
from owncastd.http.app import create_app
from owncastd.store.cluster import ClusterLedger
from tests.cluster_fixtures import RedisServer
from tests.component.app_fixtures import ADMIN_PASSWORD, build_core, default_settings, start_store
from tests.component.chat_fixtures import (
    ChatServer,
    chat_services,
    serve_chat_app,
    start_chat_server,
)

SECRET = "edge-contract-secret"
_prefixes = itertools.count(1)


@dataclass
class EdgeChatServer(ChatServer):
    """A `ChatServer` whose `port`/`url` are the edge's; `origin_port` serves the admin API."""

    origin_port: int = 0
    cluster: ClusterOrigin | None = None

    @property
    def origin_url(self) -> str:
        """The origin's base URL."""
        return f"http://127.0.0.1:{self.origin_port}"

    def configure(self, section: str, **changes: Any) -> None:
        """Change the origin's settings and tell the edges, as the admin editor does."""
        super().configure(section, **changes)
        if self.cluster is not None:
            self.cluster.on_settings_changed(None)  # type: ignore[arg-type]

    async def admin_get(self, path: str) -> Any:
        """GET an origin admin route as the admin; the JSON body."""
        async with httpx.AsyncClient(base_url=self.origin_url, timeout=10) as client:
            response = await client.get(path, auth=("admin", ADMIN_PASSWORD))
            assert response.status_code == 200, response.text
            return response.json()

    async def admin_post(self, path: str, payload: Any) -> httpx.Response:
        """POST JSON to an origin admin route as the admin."""
        async with httpx.AsyncClient(base_url=self.origin_url, timeout=10) as client:
            return await client.post(path, json=payload, auth=("admin", ADMIN_PASSWORD))


async def start_edge_chat_server(
    nursery: trio.Nursery, tmp_path: Path, redis: RedisServer, **room_options: Any
) -> EdgeChatServer:
    """An origin (chat app + cluster origin) and one edge on `redis`, under a fresh prefix."""
    prefix = f"contract{next(_prefixes)}"
    cluster = ClusterSettings(role="origin", redis_url=redis.url, secret=SECRET, prefix=prefix)
    core = build_core(tmp_path / "data", replace(default_settings(), cluster=cluster))
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store, **room_options)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    ledger = ClusterLedger(store)
    origin = ClusterOrigin(cluster, chat.room, stored=ledger.stored_messages, flush=ledger.flush)
    chat.room.subscribe(origin.on_chat_event)
    app = create_app(core.context(chat=chat, cluster=origin))
    origin_port = await serve_chat_app(nursery, app, chat.room)
    await nursery.start(origin.run)
    settings = default_settings()
    edge = EdgeNode(
        replace(settings, web=replace(settings.web, ip="127.0.0.1", port=0)),
        EdgeConfig(
            origin_url=f"http://127.0.0.1:{origin_port}",
            redis_url=redis.url,
            secret=SECRET,
            prefix=prefix,
            edge_id="contract-edge",
            heartbeat_seconds=0.2,
        ),
    )
    edge_port: int = await nursery.start(edge.run)
    parts = (chat.room, chat.store, core.stream, core.bus, core.settings, core.wall, core.data_dir)
    return EdgeChatServer(edge_port, *parts, origin_port=origin_port, cluster=origin)


@pytest.fixture(name="module_redis", scope="module")
def module_redis_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for a whole test module."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: run tools/bootstrap.py test")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="chat", params=["single", "edge"])
async def chat_or_edge_fixture(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    nursery: trio.Nursery,
    module_redis: RedisServer,
) -> ChatServer:
    """The chat server of `chat_fixture`, then the same contract through an edge."""
    profanity = await trio.to_thread.run_sync(GlinProfanityCheck)
    if request.param == "single":
        return await start_chat_server(nursery, tmp_path, profanity=profanity)
    return await start_edge_chat_server(nursery, tmp_path, module_redis, profanity=profanity)


def single_node_only(reason: str) -> pytest.MarkDecorator:
    """Marks a test whose edge variant is skipped (it checks what only the single node has)."""
    edge = pytest.param("edge", marks=pytest.mark.skip(reason=f"single node only: {reason}"))
    return pytest.mark.parametrize("chat", ["single", edge], indirect=True)

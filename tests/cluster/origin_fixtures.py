"""A cluster origin for component tests: the chat web app (real SQLite, real `/ws`) with the
cluster origin running over a real redis-server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import trio

from owncastd.cluster.origin import ClusterOrigin
from owncastd.config.settings import ClusterSettings
from owncastd.core.viewers import ViewerTracker
from owncastd.http.app import create_app
from owncastd.store.cluster import ClusterLedger
from tests.cluster_fixtures import RedisServer
from tests.component.app_fixtures import build_core, default_settings, start_store
from tests.component.chat_fixtures import ChatServer, chat_services, serve_chat_app

SECRET = "s3cret-of-the-cluster"


async def start_origin(
    nursery: trio.Nursery, tmp_path: Path, redis: RedisServer
) -> tuple[ChatServer, ClusterOrigin, ViewerTracker]:
    """A chat server (web app + /ws) with the cluster origin running over `redis`."""
    settings = default_settings()
    cluster = ClusterSettings(role="origin", redis_url=redis.url, secret=SECRET)
    core = build_core(tmp_path / "data", replace(settings, cluster=cluster))
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    ledger = ClusterLedger(store)
    origin = ClusterOrigin(cluster, chat.room, stored=ledger.stored_messages, flush=ledger.flush)
    core.viewers.remote_count = origin.viewers
    chat.room.subscribe(origin.on_chat_event)
    port = await serve_chat_app(
        nursery, create_app(core.context(chat=chat, cluster=origin)), chat.room
    )
    await nursery.start(origin.run)
    server = ChatServer(
        port, chat.room, chat.store, core.stream, core.bus, core.settings, core.wall, core.data_dir
    )
    return server, origin, core.viewers

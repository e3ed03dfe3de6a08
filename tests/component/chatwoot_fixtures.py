"""A chat server with the Chatwoot bridge over the in-memory Chatwoot (`FakeChatwoot`), on a
real SQLite store and a loopback port: real HTTP and websocket clients."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import trio

from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.core.chatwoot.escalation import Escalations
from owncastd.core.chatwoot.relay import attach_relay
from owncastd.core.chatwoot.settings import BridgeSettings
from owncastd.core.chatwoot.sink import room_sink
from owncastd.http.app import create_app
from owncastd.store.chatwoot import ChatwootStore
from owncastd.store.chatwoot_chat import ChatLookup
from tests.component.app_fixtures import build_core, default_settings, start_store
from tests.component.chat_fixtures import ChatServer, chat_services, serve_chat_app
from tests.unit.chatwoot.fake_api import FakeChatwoot

SECRET = "s3cret-path-token"


class LiveSettings:
    """The bridge's settings, changed by the test."""

    def __init__(self) -> None:
        self.current = BridgeSettings(
            enabled=True, webhook_secret=SECRET, agent_bot_id=1, reconcile_seconds=3600
        )

    def __call__(self) -> BridgeSettings:
        return self.current

    def set(self, **changes: Any) -> None:
        self.current = dataclasses.replace(self.current, **changes)


class Monotonic:
    """The bridge's rate-limit clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class BridgeServer:
    """The running chat server, the bridge and the fake Chatwoot behind it."""

    chat: ChatServer
    bridge: ChatwootBridge
    api: FakeChatwoot
    settings: LiveSettings
    monotonic: Monotonic
    app_requests: list[str]  # "METHOD /path" of each HTTP request the general app served

    def http(self) -> httpx.AsyncClient:
        return self.chat.http()

    async def webhook(self, payload: Any, secret: str = SECRET, **kwargs: Any) -> httpx.Response:
        async with self.http() as client:
            if "content" in kwargs:
                return await client.post(f"/api/chatwoot/webhook/{secret}", **kwargs)
            return await client.post(f"/api/chatwoot/webhook/{secret}", json=payload)

    async def send(self, token: str, body: str) -> httpx.Response:
        async with self.http() as client:
            return await client.post(
                "/api/chatwoot/messages", params={"accessToken": token}, json={"body": body}
            )

    async def thread(self, token: str) -> httpx.Response:
        async with self.http() as client:
            return await client.get("/api/chatwoot/thread", params={"accessToken": token})


def counting_app(app: Any, seen: list[str]) -> Any:
    """`app`, noting each HTTP request it is given in `seen`."""

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(f"{scope['method']} {scope['path']}")
        await app(scope, receive, send)

    return counted


async def start_bridge_server(
    nursery: trio.Nursery, tmp_path: Path, *, fast_path: bool = False
) -> BridgeServer:
    """Chat + bridge + fake Chatwoot, running in `nursery` (the worker included); with
    `fast_path`, the lean path serves the bridge's POSTs it can (the app the rest)."""
    core = build_core(tmp_path / "data", default_settings())
    store = await start_store(nursery, core.data_dir)
    chat = chat_services(core, store)
    api, settings = FakeChatwoot(), LiveSettings()
    monotonic = Monotonic()
    bridge = ChatwootBridge(
        ChatwootStore(store), api, settings, room_sink(chat.room), monotonic=monotonic
    )
    lookup = ChatLookup(store)  # as owncastd.wiring.build_chatwoot
    bridge.escalations = Escalations(bridge, chat.room, lookup, time.time)
    attach_relay(bridge, chat.room, lookup.ensure_bot_user)
    await nursery.start(core.stream.run)
    await nursery.start(chat.room.run)
    await nursery.start(bridge.run)
    ctx = core.context(chat=chat, chatwoot=bridge)
    app_requests: list[str] = []
    app = counting_app(create_app(ctx), app_requests)
    port = await serve_chat_app(nursery, app, chat.room, fast_path=ctx if fast_path else None)
    server = ChatServer(
        port, chat.room, chat.store, core.stream, core.bus, core.settings, core.wall, core.data_dir
    )
    return BridgeServer(server, bridge, api, settings, monotonic, app_requests)


def message_created(
    message_id: int,
    conversation_id: int,
    content: str,
    *,
    message_type: str = "outgoing",
    private: bool = False,
    sender: dict[str, Any] | None = None,
    status: str = "open",
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `message_created` body shaped as Chatwoot sends it to an agent bot (facts §1.3)."""
    payload: dict[str, Any] = {
        "event": "message_created",
        "id": message_id,
        "content": content,
        "created_at": "2026-12-04T04:00:00.000Z",
        "message_type": message_type,
        "content_type": "text",
        "content_attributes": {},
        "private": private,
        "source_id": None,
        "sender": sender or {"id": 7, "name": "Agent Smith", "email": "a@x", "type": "user"},
        "inbox": {"id": 3, "name": "Owncast"},
        "account": {"id": 1, "name": "Team"},
        "conversation": {
            "id": conversation_id,
            "inbox_id": 3,
            "status": status,
            "channel": "Channel::Api",
            "can_reply": True,
            "messages": [],
            "meta": {"sender": {"id": 9, "type": "contact"}},
        },
    }
    if attachments is not None:
        payload["attachments"] = attachments
    return payload

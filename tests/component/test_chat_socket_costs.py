"""What an idle chat socket keeps (issue 17: ~24 KB each, 165 MB at 4,000; goal ≤ 16 KB; see
bench/chat.py for the RSS figure): one trio task, no handshake state, slotted objects."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
import trio
from wsproto import WSConnection

from owncastd.core.chat.clients import ChatClient
from owncastd.http.transport import chat_socket
from tests.chat_ws_client import ChatWs
from tests.component.chat_fixtures import ChatServer, chat_fixture

__all__ = ["chat_fixture"]

CLIENTS = 6


def task_names() -> list[str]:
    """The names of every task of this trio run."""
    names = []
    pending = [trio.lowlevel.current_root_task()]
    while pending:
        task = pending.pop()
        names.append(task.name)
        for nursery in task.child_nurseries:
            pending.extend(nursery.child_tasks)
    return names


async def connect_all(chat: ChatServer, users: list[dict[str, Any]]) -> list[ChatWs]:
    sockets = [await chat.connect(user["accessToken"]) for user in users]
    for ws in sockets:
        await ws.next_event("CONNECTED_USER_INFO")
    return sockets


async def test_an_idle_chat_socket_is_one_task(chat: ChatServer) -> None:
    users = [await chat.register(f"u{i}") for i in range(CLIENTS)]
    sockets = await connect_all(chat, users)
    await trio.testing.wait_all_tasks_blocked()
    names = task_names()
    # Each connection's own task (the front door's) reads and pings a silent peer: no pinger
    # task, and no writer task until a write has to wait for the kernel.
    assert names.count("owncastd.http.transport.front_door.HttpServer._connection") >= CLIENTS
    assert [name for name in names if "transport.chat_socket" in name] == []
    await sockets[0].send_json({"type": "CHAT", "body": "hello"})
    for ws in sockets:  # fan-out still reaches everyone without writer tasks
        assert (await ws.next_event("CHAT"))["body"] == "<p>hello</p>"


async def test_the_handshake_state_is_freed_once_open(
    chat: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    handshakes: list[weakref.ref[WSConnection]] = []

    class Tracked(WSConnection):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            handshakes.append(weakref.ref(self))

    monkeypatch.setattr(chat_socket, "WSConnection", Tracked)
    users = [await chat.register(f"u{i}") for i in range(CLIENTS)]
    await connect_all(chat, users)
    gc.collect()
    assert len(handshakes) == CLIENTS
    assert [ref for ref in handshakes if ref() is not None] == []  # h11 and the request: gone
    clients = chat.room.clients()
    assert len(clients) == CLIENTS
    for client in clients:
        assert isinstance(client, ChatClient) and not hasattr(client, "__dict__")
        assert not hasattr(client.outbox, "__dict__")

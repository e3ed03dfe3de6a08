"""Chat websockets per address: the attack run opened 2,000 from one IP. Past the cap the
upgrade is refused with a plain `429` on both paths (the front door's raw socket and the ASGI
fallback for upgrades on a reused connection), and a closed socket frees its place."""

from __future__ import annotations

from pathlib import Path

import trio

from owncastd.http.transport.chat_socket import TOO_MANY_BODY
from owncastd.http.transport.limits import per_ip_counter
from tests.chat_ws_client import ChatWs, Refused
from tests.component.chat_fixtures import ChatServer, start_chat_server
from tests.component.test_chat_asgi_fallback import upgrade_on_keep_alive

CAP = 3


async def _until_free(chat: ChatServer, token: str) -> ChatWs:
    """Connect once the server has noticed a closed socket (it frees the place on EOF)."""
    with trio.fail_after(5):
        while True:
            ws = await ChatWs.connect(chat.port, token)
            if isinstance(ws, ChatWs):
                return ws
            await trio.sleep(0.02)


async def test_chat_sockets_per_address_are_capped_on_both_paths(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    counter = per_ip_counter(CAP)
    chat = await start_chat_server(nursery, tmp_path, per_ip=counter)
    user = await chat.register("flood")
    token = user["accessToken"]
    sockets = [await chat.connect(token) for _ in range(CAP)]
    for ws in sockets:
        assert (await ws.next_event())["type"] == "CONNECTED_USER_INFO"
    for _ in range(5):
        assert await ChatWs.connect(chat.port, token) == Refused(429, TOO_MANY_BODY)
    assert await upgrade_on_keep_alive(chat, token) == Refused(429, TOO_MANY_BODY)
    assert len(chat.room.clients()) == CAP
    # Another address is not affected.
    other = await chat.register("neighbour")
    stream = await trio.open_tcp_stream("127.0.0.1", chat.port, local_address="127.0.0.2")
    neighbour = await ChatWs.upgrade(stream, "x", other["accessToken"])
    assert isinstance(neighbour, ChatWs)
    assert (await neighbour.next_event())["type"] == "CONNECTED_USER_INFO"
    # A closed socket frees its place.
    await sockets.pop().stream.aclose()
    again = await _until_free(chat, other["accessToken"])
    assert (await again.next_event())["type"] == "CONNECTED_USER_INFO"
    assert counter.from_ip("127.0.0.1") == CAP


async def test_the_fallback_frees_its_place_too(nursery: trio.Nursery, tmp_path: Path) -> None:
    counter = per_ip_counter(1)
    chat = await start_chat_server(nursery, tmp_path, per_ip=counter)
    user = await chat.register("fallback")
    ws = await upgrade_on_keep_alive(chat, user["accessToken"])
    assert isinstance(ws, ChatWs)
    assert (await ws.next_event())["type"] == "CONNECTED_USER_INFO"
    assert await ChatWs.connect(chat.port, user["accessToken"]) == Refused(429, TOO_MANY_BODY)
    await ws.stream.aclose()
    again = await _until_free(chat, user["accessToken"])
    assert (await again.next_event())["type"] == "CONNECTED_USER_INFO"

"""The edge's chat room without sockets or Redis: targets, control, pause and the entries it
posts for the origin (issue 18 contract §1–§4, §7)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from owncastd.config.settings import Settings, SettingsRef
from owncastd.core.chat.models import ChatUser
from owncastd.core.chat.wire import Outgoing
from owncastd.edge.chat import EdgeChat
from owncastd.edge.origin import user_from_json


class FakeOutbox:
    def __init__(self, room: int = 100) -> None:
        self.frames: list[bytes] = []
        self.room = room
        self.closed: bool | None = None

    def push(self, event: Outgoing) -> bool:
        if len(self.frames) >= self.room:
            return False
        self.frames.append(event.payload)
        return True

    def close(self, *, flush: bool = True) -> None:
        self.closed = flush


def _user(user_id: str) -> ChatUser:
    return ChatUser(user_id, user_id.title(), 1, datetime(2026, 1, 1, tzinfo=UTC))


async def _no_token(token: str) -> ChatUser | None:
    return None


@pytest.fixture
def posted() -> list[dict[str, str]]:
    return []


@pytest.fixture
def room(posted: list[dict[str, str]]) -> EdgeChat:
    def post(entry: dict[str, str]) -> bool:
        posted.append(entry)
        return len(posted) < 100

    return EdgeChat(
        edge_id="e7",
        settings=SettingsRef(Settings()),
        token_check=_no_token,
        post=post,
        clock=lambda: 1700000000.5,
    )


def test_frames_go_to_their_targets_unchanged(room: EdgeChat) -> None:
    boxes = [FakeOutbox() for _ in range(3)]
    a1 = room.join(_user("alice"), boxes[0], "192.0.2.1", "ua")
    room.join(_user("bob"), boxes[1], "192.0.2.2", "ua")
    room.join(_user("alice"), boxes[2], "192.0.2.3", "ua")
    room.deliver(b'*\n{"type":"CHAT","body":"\xc3\xa9"}')
    assert [box.frames for box in boxes] == [[b'{"type":"CHAT","body":"\xc3\xa9"}']] * 3
    room.deliver(b"u:alice\nA")
    room.deliver(b"c:e7/2\nB")
    room.deliver(b"c:e8/2\nnot ours")  # another edge's client 2
    room.deliver(b"c:e7/9\nnobody")
    room.deliver(b"u:carol\nnobody")
    assert [box.frames[1:] for box in boxes] == [[b"A"], [b"B"], [b"A"]]
    assert room.wire_id(a1) == "e7/1"
    assert room.deliveries == 3 + 2 + 1


def test_entries_for_the_origin(room: EdgeChat, posted: list[dict[str, str]]) -> None:
    client = room.join(_user("alice"), FakeOutbox(), "192.0.2.1", "Firefox")
    assert posted == [
        {
            "kind": "connect",
            "edge": "e7",
            "client": "e7/1",
            "user": "alice",
            "ip": "192.0.2.1",
            "ua": "Firefox",
            "at": "1700000000.500",
        }
    ]
    room.resync()
    room.leave(client)
    room.leave(client)  # once only
    assert [e["kind"] for e in posted] == ["connect", "resync", "disconnect"]


async def test_a_message_is_posted_with_the_raw_frame(
    room: EdgeChat, posted: list[dict[str, str]]
) -> None:
    box = FakeOutbox()
    client = room.join(_user("alice"), box, "192.0.2.1", "ua")
    frame = '{"type":"CHAT","body":"hi"}'
    await room.receive(client, frame, len(frame))
    assert posted[-1]["kind"] == "message" and posted[-1]["body"] == frame
    assert box.frames == []


async def test_paused_chat_tells_sockets_and_refuses_messages(
    room: EdgeChat, posted: list[dict[str, str]]
) -> None:
    box = FakeOutbox()
    client = room.join(_user("alice"), box, "192.0.2.1", "ua")
    room.pause()
    room.pause()  # told once
    await room.receive(client, "{}", 2)
    room.resume()
    bodies = [json.loads(frame)["body"] for frame in box.frames]
    assert [json.loads(frame)["type"] for frame in box.frames] == ["CHAT_ACTION"] * 3
    assert "paused" in bodies[0] and "not sent" in bodies[1] and "back" in bodies[2]
    assert [e["kind"] for e in posted] == ["connect"]  # the message was not posted
    late = FakeOutbox()
    room.pause()
    room.join(_user("bob"), late, "192.0.2.9", "ua")
    assert "paused" in json.loads(late.frames[0])["body"]


def test_disconnect_by_user_client_and_address(
    room: EdgeChat, posted: list[dict[str, str]]
) -> None:
    boxes = [FakeOutbox() for _ in range(4)]
    room.join(_user("alice"), boxes[0], "192.0.2.1", "ua")
    room.join(_user("alice"), boxes[1], "192.0.2.2", "ua")
    room.join(_user("bob"), boxes[2], "192.0.2.2", "ua")
    room.join(_user("carol"), boxes[3], "192.0.2.3", "ua")
    assert room.disconnect("u:alice") == 2
    assert room.disconnect("ip:192.0.2.2") == 1  # bob; alice's second socket is gone already
    assert room.disconnect("c:e7/4") == 1
    assert [box.closed for box in boxes] == [True] * 4  # flushed, as the origin closes
    assert room.clients() == []
    assert [e["client"] for e in posted if e["kind"] == "disconnect"] == [
        "e7/1", "e7/2", "e7/3", "e7/4",
    ]  # fmt: skip


def test_a_full_socket_is_dropped(room: EdgeChat, posted: list[dict[str, str]]) -> None:
    slow, fine = FakeOutbox(room=1), FakeOutbox()
    room.join(_user("alice"), slow, "192.0.2.1", "ua")
    room.join(_user("bob"), fine, "192.0.2.2", "ua")
    room.deliver(b"*\none")
    room.deliver(b"*\ntwo")
    assert slow.closed is False and len(fine.frames) == 2
    assert [e["kind"] for e in posted][-1] == "disconnect"


def test_token_answer_becomes_a_chat_user() -> None:
    user = user_from_json(
        {
            "userId": "u1",
            "displayName": "Mod",
            "displayColor": 5,
            "isModerator": True,
            "isBot": False,
            "authenticated": True,
            "disabled": False,
        }
    )
    assert (user.id, user.display_name, user.display_color) == ("u1", "Mod", 5)
    assert user.is_moderator and user.authenticated and not user.disabled


async def test_origin_page_cache_keeps_to_its_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from owncastd.edge import origin as origin_module
    from owncastd.edge.config import EdgeConfig

    monkeypatch.setattr(origin_module, "PAGE_CACHE_BYTES", 250)
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, content=b"x" * 100)

    now = [0.0]
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = origin_module.OriginClient(
            EdgeConfig("http://origin", "redis://r"), http, clock=lambda: now[0]
        )
        for path in ("/a", "/b", "/a", "/b"):
            await client.fetch(path, "", 30)
        assert calls == ["/a", "/b"]  # 200 bytes: both kept
        await client.fetch("/c", "", 30)  # over budget: the cache starts again
        await client.fetch("/c", "", 30)
        await client.fetch("/a", "", 30)
        assert calls == ["/a", "/b", "/c", "/a"]
        now[0] = 31.0
        await client.fetch("/c", "", 30)  # expired
        assert calls[-1] == "/c"

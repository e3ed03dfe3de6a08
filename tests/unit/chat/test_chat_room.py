"""ChatRoom behaviour with an in-memory repository and recording outboxes, on trio's mock
clock: join/part timers, welcome, chat persistence before broadcast, names, colours, the
offline guard, slow clients, stream notices, moderation and the integration API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
import trio
import trio.testing

from owncastd.config.settings import ServerSettings, Settings, SettingsRef
from owncastd.core.chat import wire
from owncastd.core.chat.events import (
    ChatEvent,
    ChatMessageSent,
    NameChanged,
    UserDisabled,
    UserJoined,
    UserParted,
    VisibilityChanged,
)
from owncastd.core.chat.models import MODERATOR, ChatMessage, ChatUser
from owncastd.core.chat.room import ChatRoom
from owncastd.core.events import EventBus
from owncastd.core.stream import Stream, StreamStats
from tests.component.app_fixtures import START, RecordingStatsSink, WallClock


class FakeRepo:
    """ChatRepository in memory."""

    def __init__(self) -> None:
        self.users: dict[str, ChatUser] = {}
        self.tokens: dict[str, str] = {}
        self.messages: dict[str, ChatMessage] = {}
        self.bans: dict[str, tuple[str, datetime]] = {}

    def add(self, user: ChatUser, token: str) -> ChatUser:
        self.users[user.id] = user
        self.tokens[token] = user.id
        return user

    async def user_for_token(self, token: str) -> ChatUser | None:
        await trio.lowlevel.checkpoint()
        user_id = self.tokens.get(token)
        return self.users.get(user_id) if user_id else None

    async def user(self, user_id: str) -> ChatUser | None:
        await trio.lowlevel.checkpoint()
        return self.users.get(user_id)

    async def name_taken(self, name: str, *, except_user_id: str) -> bool:
        await trio.lowlevel.checkpoint()
        return any(
            u.display_name.casefold() == name.casefold() and u.id != except_user_id
            for u in self.users.values()
        )

    async def save_user(self, user: ChatUser) -> None:
        await trio.lowlevel.checkpoint()
        self.users[user.id] = user

    def queue_message(self, message: ChatMessage) -> None:
        self.messages[message.id] = message

    async def set_hidden(self, ids: Sequence[str], hidden_at: datetime | None) -> None:
        await trio.lowlevel.checkpoint()
        for i in ids:
            if i in self.messages:
                self.messages[i] = replace(self.messages[i], hidden_at=hidden_at)

    async def visible_message_ids_of(self, user_id: str) -> list[str]:
        await trio.lowlevel.checkpoint()
        return [
            m.id
            for m in self.messages.values()
            if m.user and m.user.id == user_id and m.hidden_at is None
        ]

    async def ip_bans(self) -> list[tuple[str, str, datetime]]:
        return [(ip, notes, at) for ip, (notes, at) in self.bans.items()]

    async def add_ip_ban(self, ip: str, notes: str, at: datetime) -> None:
        self.bans.setdefault(ip, (notes, at))

    async def remove_ip_ban(self, ip: str) -> None:
        self.bans.pop(ip, None)

    async def prune_messages(self, older_than: datetime) -> int:
        old = [i for i, m in self.messages.items() if m.timestamp <= older_than]
        for i in old:
            del self.messages[i]
        return len(old)


class Outbox:
    """Records what a client was sent; `limit` simulates a full queue."""

    def __init__(self, repo: FakeRepo | None = None, limit: int | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.closed: bool | None = None  # the flush flag once closed
        self.limit = limit
        self.repo = repo
        self.persisted_when_sent: list[bool] = []

    def push(self, event: wire.Outgoing) -> bool:
        if self.limit is not None and len(self.events) >= self.limit:
            return False
        data = json.loads(event.payload)
        if self.repo is not None and data["type"] == "CHAT":
            self.persisted_when_sent.append(data["id"] in self.repo.messages)
        self.events.append(data)
        return True

    def close(self, *, flush: bool = True) -> None:
        self.closed = flush

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


class Room:
    """A room under test with its collaborators."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.repo = FakeRepo()
        self.settings = SettingsRef(settings or Settings())
        self.wall = WallClock(START)
        self.bus = EventBus()
        self.stream = Stream(
            bus=self.bus,
            stream_keys=lambda: ["k"],
            segment_seconds=lambda: 2,
            stats=StreamStats(),
            stats_sink=RecordingStatsSink(),
            clock=self.wall,
        )
        self.room = ChatRoom(
            repo=self.repo, settings=self.settings, stream=self.stream, clock=self.wall
        )
        self.bus.subscribe(self.room.on_stream_event)
        self.seen: list[ChatEvent] = []
        self.room.subscribe(self.seen.append)
        self._count = 0

    def user(self, name: str, **changes: Any) -> ChatUser:
        self._count += 1
        user = ChatUser(
            f"id{self._count}",
            name,
            1,
            START - timedelta(days=1),
            previous_names=(name,),
            **changes,
        )
        return self.repo.add(user, f"token-{name}")

    def connect(self, user: ChatUser, ip: str = "198.51.100.7") -> tuple[Any, Outbox]:
        outbox = Outbox(self.repo)
        return self.room.join(user, outbox, ip, "test-agent"), outbox

    def configure(self, section: str, **changes: Any) -> None:
        current = self.settings.current
        self.settings.replace(
            replace(current, **{section: replace(getattr(current, section), **changes)})
        )


@pytest.fixture
async def r(nursery: trio.Nursery) -> Room:
    room = Room(Settings(server=ServerSettings(name="My Server", welcome_message="Hi **all**")))
    await nursery.start(room.room.run)
    return room


async def test_connect_offline_sends_only_user_info(r: Room, autojump_clock: Any) -> None:
    alice = r.user("alice")
    _, box = r.connect(alice)
    assert [e["type"] for e in box.events] == ["CONNECTED_USER_INFO"]
    assert box.events[0]["user"]["displayName"] == "alice"
    await trio.sleep(8)
    assert [e["type"] for e in box.events] == ["CONNECTED_USER_INFO"]


async def test_live_join_broadcast_once_and_welcome_after_seven_seconds(
    r: Room, autojump_clock: Any
) -> None:
    r.stream.begin("203.0.113.1")
    _, watcher = r.connect(r.user("watcher"))
    alice = r.user("alice")
    _, first = r.connect(alice)
    _, second = r.connect(alice)
    joins = [e for e in watcher.of("USER_JOINED") if e["user"]["id"] == alice.id]
    assert len(joins) == 1
    assert [type(e) for e in r.seen].count(UserJoined) == 2
    await trio.sleep(6.9)
    assert first.of("SYSTEM") == []
    await trio.sleep(0.2)
    (welcome,) = first.of("SYSTEM")
    assert welcome["body"] == "<p>Hi <strong>all</strong></p>\n"
    assert welcome["user"] == {"displayName": "My Server"}
    assert len(second.of("SYSTEM")) == 1


async def test_join_messages_disabled_still_notify_listeners(r: Room, autojump_clock: Any) -> None:
    r.configure("chat", join_messages_enabled=False)
    r.stream.begin("203.0.113.1")
    _, watcher = r.connect(r.user("watcher"))
    client, _ = r.connect(r.user("alice"))
    assert watcher.of("USER_JOINED") == []
    r.room.leave(client)
    await trio.sleep(11)
    assert watcher.of("USER_PARTED") == []
    assert any(isinstance(e, UserParted) for e in r.seen)


async def test_part_ten_seconds_after_last_connection_and_reconnect_cancels(
    r: Room, autojump_clock: Any
) -> None:
    r.stream.begin("203.0.113.1")
    watcher_client, watcher = r.connect(r.user("watcher"))
    watcher_id = watcher_client.user.id
    alice = r.user("alice")
    one, _ = r.connect(alice)
    two, _ = r.connect(alice)
    r.room.leave(one)
    await trio.sleep(11)
    assert watcher.of("USER_PARTED") == []  # still connected through `two`
    r.room.leave(two)
    await trio.sleep(5)
    three, _ = r.connect(alice)  # back within 10 s: neither a part nor a new join
    await trio.sleep(11)
    assert watcher.of("USER_PARTED") == []
    assert [e["user"]["id"] for e in watcher.of("USER_JOINED")] == [watcher_id, alice.id]
    r.room.leave(three)
    await trio.sleep(9.9)
    assert watcher.of("USER_PARTED") == []
    await trio.sleep(0.2)
    (parted,) = watcher.of("USER_PARTED")
    assert parted["user"]["id"] == alice.id


async def test_chat_is_queued_for_the_database_before_it_is_broadcast(r: Room) -> None:
    alice_client, alice_box = r.connect(r.user("alice"))
    _, bob_box = r.connect(r.user("bob"))
    await r.room.receive(alice_client, '{"type":"CHAT","body":"hi **bob**"}', 35)
    (message,) = bob_box.of("CHAT")
    assert message["body"] == "<p>hi <strong>bob</strong></p>" and message["visible"] is True
    assert message["user"]["displayName"] == "alice"
    assert bob_box.persisted_when_sent == [True] and alice_box.persisted_when_sent == [True]
    assert alice_client.message_count == 1
    (sent,) = [e for e in r.seen if isinstance(e, ChatMessageSent)]
    data = sent.event_data()
    assert data["rawBody"] == "hi **bob**" and data["clientId"] == alice_client.id


async def test_bad_frames_are_ignored(r: Room) -> None:
    client, box = r.connect(r.user("alice"))
    r.configure("chat", spam_protection_enabled=False)
    for frame in ["not json", "[1,2]", '{"type":"NOPE"}', '{"type":"CHAT","body":5}', "{}"]:
        await r.room.receive(client, frame, len(frame))
    await r.room.receive(client, '{"type":"CHAT","body":"<script>x</script>"}', 40)
    assert [e["type"] for e in box.events] == ["CONNECTED_USER_INFO"]
    assert r.repo.messages == {}


async def test_offline_guard_drops_messages_five_minutes_after_the_stream_ended(r: Room) -> None:
    client, box = r.connect(r.user("alice"))
    r.configure("chat", spam_protection_enabled=False)
    r.stream.stats = replace(r.stream.stats, last_disconnect_time=START - timedelta(minutes=4))
    await r.room.receive(client, '{"type":"CHAT","body":"still here"}', 30)
    r.stream.stats = replace(r.stream.stats, last_disconnect_time=START - timedelta(minutes=6))
    await r.room.receive(client, '{"type":"CHAT","body":"too late"}', 30)
    assert [e["body"] for e in box.of("CHAT")] == ["<p>still here</p>"]


async def test_a_client_with_a_full_queue_is_dropped_and_others_are_served(r: Room) -> None:
    sender, _ = r.connect(r.user("alice"))
    slow_user = r.user("slow")
    slow_client = r.room.join(slow_user, Outbox(limit=1), "198.51.100.9", "ua")
    _, fast = r.connect(r.user("fast"))
    await r.room.receive(sender, '{"type":"CHAT","body":"one"}', 30)
    assert slow_client.outbox.closed is False  # type: ignore[attr-defined]
    assert slow_client not in r.room.clients()
    assert [e["body"] for e in fast.of("CHAT")] == ["<p>one</p>"]


async def test_name_changes(r: Room) -> None:
    r.configure("chat", spam_protection_enabled=False)
    r.user("taken")
    client, box = r.connect(r.user("alice"))
    _, watcher = r.connect(r.user("watcher"))
    await r.room.receive(client, '{"type":"NAME_CHANGE","newName":"MySystemName"}', 40)
    assert "You cannot change your name to" in box.of("CHAT_ACTION")[-1]["body"]
    await r.room.receive(client, '{"type":"NAME_CHANGE","newName":"TAKEN"}', 40)
    assert "has been already registered" in box.of("CHAT_ACTION")[-1]["body"]
    assert watcher.of("NAME_CHANGE") == []
    await r.room.receive(
        client, json.dumps({"type": "NAME_CHANGE", "newName": "<b>x</b>" * 5000}), 40
    )
    (renamed,) = watcher.of("NAME_CHANGE")
    assert renamed["oldName"] == "alice" and renamed["user"]["displayName"] == "x" * 30
    assert renamed["user"]["previousNames"] == ["alice", "x" * 30]
    assert box.of("CONNECTED_USER_INFO")[-1]["user"]["displayName"] == "x" * 30
    assert r.repo.users[client.user.id].display_name == "x" * 30
    (changed,) = [e for e in r.seen if isinstance(e, NameChanged)]
    assert changed.event_data()["newName"] == "x" * 30


async def test_color_changes_go_to_the_client_only(r: Room) -> None:
    r.configure("chat", spam_protection_enabled=False)
    client, box = r.connect(r.user("alice"))
    _, watcher = r.connect(r.user("watcher"))
    for bad in ['"3"', "8", "-1", "true", "2.5"]:
        await r.room.receive(client, f'{{"type":"COLOR_CHANGE","newColor":{bad}}}', 30)
    assert len(box.of("CONNECTED_USER_INFO")) == 1
    await r.room.receive(client, '{"type":"COLOR_CHANGE","newColor":7}', 30)
    assert box.of("CONNECTED_USER_INFO")[-1]["user"]["displayColor"] == 7
    assert r.repo.users[client.user.id].display_color == 7
    assert len(watcher.events) == 1


async def test_stream_start_and_stop_notices(r: Room) -> None:
    _, box = r.connect(r.user("alice"))
    session = r.stream.begin("203.0.113.1")
    session.end()
    bodies = [e["body"] for e in box.of("CHAT_ACTION")]
    assert bodies == [
        "<p>Stay tuned, the stream is <strong>starting</strong>!</p>\n",
        "<p>The stream is ending.</p>\n",
    ]


async def test_disable_user_hides_closes_announces_and_bans(r: Room, autojump_clock: Any) -> None:
    r.configure("chat", spam_protection_enabled=False)
    bad = r.user("spammer")
    remote, remote_box = r.connect(bad, ip="203.0.113.50")
    local, _ = r.connect(bad, ip="127.0.0.1")
    _, watcher = r.connect(r.user("watcher"))
    await r.room.receive(remote, '{"type":"CHAT","body":"buy stuff"}', 30)
    await r.room.receive(local, '{"type":"CHAT","body":"more stuff"}', 30)
    ids = {e["id"] for e in watcher.of("CHAT")}
    user = await r.room.moderation.set_user_enabled(bad.id, False)
    assert user is not None and user.disabled
    (visibility,) = watcher.of("VISIBILITY-UPDATE")
    assert set(visibility["ids"]) == ids and visibility["visible"] is False
    assert all(m.hidden_at is not None for m in r.repo.messages.values())
    assert remote_box.of("ERROR_USER_DISABLED")[0]["user"]["id"] == bad.id
    assert (
        "<strong>spammer</strong> has been removed from chat."
        in watcher.of("CHAT_ACTION")[0]["body"]
    )
    assert list(r.repo.bans) == ["203.0.113.50"] and r.room.bans.is_banned("203.0.113.50")
    assert r.room.precheck("203.0.113.50") == "BANNED"
    assert remote_box.closed is None
    await r.room.receive(remote, '{"type":"CHAT","body":"ignored"}', 30)
    assert len(watcher.of("CHAT")) == 2
    await trio.sleep(2.1)
    assert remote_box.closed is True and len(r.room.clients()) == 1
    assert [type(e) for e in r.seen if isinstance(e, UserDisabled | VisibilityChanged)] == [
        VisibilityChanged,
        UserDisabled,
    ]
    enabled = await r.room.moderation.set_user_enabled(bad.id, True)
    assert enabled is not None and not enabled.disabled
    assert await r.room.moderation.set_user_enabled("nobody", False) is None


async def test_moderator_scope_is_pushed_to_the_user(r: Room) -> None:
    alice = r.user("alice")
    client, box = r.connect(alice)
    await r.room.moderation.set_moderator(alice.id, True)
    assert box.of("CONNECTED_USER_INFO")[-1]["user"]["scopes"] == [MODERATOR]
    assert client.user.is_moderator and MODERATOR in r.repo.users[alice.id].scopes
    await r.room.moderation.set_moderator(alice.id, False)
    assert "scopes" not in box.of("CONNECTED_USER_INFO")[-1]["user"]


async def test_integration_api(r: Room) -> None:
    client, box = r.connect(r.user("alice"))
    system = await r.room.send_system_message("Hello from **ops**")
    assert system.id in r.repo.messages
    assert box.of("SYSTEM")[-1]["user"] == {"displayName": "My Server"}
    ephemeral = await r.room.send_action("a notice", ephemeral=True)
    assert ephemeral.id not in r.repo.messages and box.of("CHAT_ACTION")[-1]["id"] == ephemeral.id
    assert r.room.send_system_message_to_client(client.id, "just you")
    assert not r.room.send_system_message_to_client(9999, "nobody")
    bot = ChatUser("bot1", "Bot", 3, START)
    sent = await r.room.send_bot_message(bot, "beep <script>x</script>")
    assert sent is not None and sent.id in r.repo.messages
    chat = box.of("CHAT")[-1]
    assert chat["user"]["isBot"] is True and chat["body"] == "<p>beep </p>"
    assert await r.room.send_bot_message(bot, "   ") is None


async def test_max_connections_and_chat_disabled(r: Room) -> None:
    r.room.max_clients = 1
    r.connect(r.user("alice"))
    assert r.room.precheck("198.51.100.1") == wire.ERROR_MAX_CONNECTIONS_EXCEEDED
    r.configure("chat", disabled=True)
    assert r.room.precheck("198.51.100.1") == "CHAT_DISABLED"


async def test_retention_prunes_messages_older_than_two_hours(
    nursery: trio.Nursery, autojump_clock: Any
) -> None:
    room = Room()
    old = ChatMessage("old", "CHAT", "x", START - timedelta(hours=2, seconds=1))
    new = ChatMessage("new", "CHAT", "y", START - timedelta(hours=1))
    room.repo.messages = {"old": old, "new": new}
    await nursery.start(room.room.run)
    assert list(room.repo.messages) == ["new"]
    room.wall.advance(3600 + 1)
    await trio.sleep(301)
    assert room.repo.messages == {}


async def test_deeply_nested_frames_are_ignored_like_malformed_ones(r: Room, caplog: Any) -> None:
    client, box = r.connect(r.user("alice"))
    r.configure("chat", spam_protection_enabled=False)
    for frame in ["[" * 1500, '{"a":' * 1500, "[" * 1500 + "]" * 1500]:
        await r.room.receive(client, frame, len(frame))
    await r.room.receive(client, '{"type":"CHAT","body":"still here"}', 35)
    assert [e["body"] for e in box.of("CHAT")] == ["<p>still here</p>"]
    assert not [rec for rec in caplog.records if rec.levelno >= 40]


async def test_a_store_failure_in_the_part_timer_leaves_the_room_running(
    r: Room, autojump_clock: Any, caplog: Any
) -> None:
    r.stream.begin("203.0.113.1")
    _, watcher = r.connect(r.user("watcher"))
    alice, bob = r.user("alice"), r.user("bob")
    alice_client, _ = r.connect(alice)
    bob_client, _ = r.connect(bob)
    lookup = r.repo.user

    async def failing_lookup(user_id: str) -> ChatUser | None:
        if user_id == alice.id:
            raise OSError("disk I/O error")
        return await lookup(user_id)

    r.repo.user = failing_lookup  # type: ignore[method-assign]
    r.room.leave(alice_client)
    await trio.sleep(11)
    assert any("chat part not announced" in rec.getMessage() for rec in caplog.records)
    r.room.leave(bob_client)  # the room and its timers still work
    await trio.sleep(11)
    assert [e["user"]["id"] for e in watcher.of("USER_PARTED")] == [bob.id]

"""ChatRoom: the connected clients, the inbound dispatch and the fan-out (reference §2).

Transports call `precheck` → `authenticate` → `join` → `receive`… → `leave`. Every server event
is encoded once (`Outgoing`) and pushed to each client's outbox without waiting; a client whose
queue is full is dropped. A CHAT message is queued to the store's group-commit writer before it is
broadcast (the writer commits within milliseconds), so anything a client has seen survives a
crash; the sender never waits for the disk. Listeners (webhooks) subscribe with `subscribe`.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.chat import wire
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.emoji_catalog import EmojiCatalog, NoEmoji
from owncastd.core.chat.events import (
    ChatEvent,
    ChatListener,
    ChatMessageSent,
    SystemMessageSent,
    UserJoined,
    UserParted,
)
from owncastd.core.chat.inbound import FrameHandler
from owncastd.core.chat.models import ChatMessage, ChatUser
from owncastd.core.chat.moderation import BanList, ChatModeration
from owncastd.core.chat.pipeline import InboundGate
from owncastd.core.chat.ports import ChatRepository, Outbox
from owncastd.core.chat.render import render_chat_body, render_notice
from owncastd.core.chat.slurs import NoProfanityCheck, ProfanityCheck
from owncastd.core.events import Event, StreamStarted, StreamStopped
from owncastd.core.periodic import periodic
from owncastd.core.stream import Stream

log = logging.getLogger(__name__)

PART_DELAY_SECONDS = 10.0
WELCOME_DELAY_SECONDS = 7.0
RETENTION = timedelta(hours=2)
PRUNE_INTERVAL_SECONDS = 300.0
STARTING = "Stay tuned, the stream is **starting**!"
ENDING = "The stream is ending."

CHAT_DISABLED = "CHAT_DISABLED"
BANNED = "BANNED"
FULL = wire.ERROR_MAX_CONNECTIONS_EXCEEDED


class ChatRoom:
    """Everyone in chat. Sync methods are atomic under trio; only persistence awaits."""

    def __init__(
        self,
        *,
        repo: ChatRepository,
        settings: SettingsRef,
        stream: Stream,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = trio.current_time,
        profanity: ProfanityCheck | None = None,
        max_clients: int = 10_000,
        rng: random.Random | None = None,
        emoji: EmojiCatalog | None = None,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.stream = stream
        self.clock = clock
        self.monotonic = monotonic
        self.profanity: ProfanityCheck = profanity or NoProfanityCheck()
        self.max_clients = max_clients
        self.rng = rng or random.SystemRandom()
        self.emoji: EmojiCatalog = emoji or NoEmoji()
        self.bans = BanList()
        self._frames = FrameHandler(self)
        self.moderation = ChatModeration(self)
        self._clients: dict[int, ChatClient] = {}
        self._local: dict[int, ChatClient] = {}  # this process's sockets (not cluster edges')
        # Cluster origin (issue 18): gets each broadcast once, for every edge's sockets.
        self.remote_fanout: Callable[[wire.Outgoing], None] | None = None
        self._by_user: dict[str, set[int]] = {}
        self._part_timers: dict[str, trio.CancelScope] = {}
        self._ids = itertools.count(1)
        self._listeners: list[ChatListener] = []
        self._nursery: trio.Nursery | None = None
        # True while a scheduled event's chat window is open (chat then works offline too).
        self.scheduled_chat_open: Callable[[], bool] = lambda: False

    # ---- service ---------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Load the IP bans, then run the timers and the retention pruner until cancelled."""
        self.bans.load(await self.repo.ip_bans())
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            try:
                await periodic(PRUNE_INTERVAL_SECONDS, self._prune, first=0)
            finally:
                self._nursery = None

    def subscribe(self, listener: ChatListener) -> None:
        """Call `listener` for every later chat event; it must not block."""
        self._listeners.append(listener)

    def on_stream_event(self, event: Event) -> None:
        """EventBus subscriber: announce the stream starting and ending."""
        if isinstance(event, StreamStarted):
            self.broadcast_action(STARTING)
        elif isinstance(event, StreamStopped):
            self.broadcast_action(ENDING)

    # ---- connections -----------------------------------------------------------------

    def precheck(self, ip: str) -> str | None:
        """Before the upgrade: CHAT_DISABLED, BANNED (403) or FULL; None to continue."""
        if self.settings.current.chat.disabled:
            return CHAT_DISABLED
        if self.bans.is_banned(ip):
            return BANNED
        if len(self._clients) >= self.max_clients:
            return FULL
        return None

    async def authenticate(self, token: str) -> ChatUser | None:
        """The user owning `token`, or None (the client needs to register)."""
        if not token:
            return None
        return await self.repo.user_for_token(token)

    def join(  # remote: an edge's socket; announce=False: one already connected (a resync)
        self,
        user: ChatUser,
        outbox: Outbox,
        ip: str,
        ua: str,
        *,
        remote: bool = False,
        announce: bool = True,
    ) -> ChatClient:
        """Register a connection: CONNECTED_USER_INFO, USER_JOINED (live) and the welcome."""
        client = ChatClient(
            id=next(self._ids),
            user=user,
            outbox=outbox,
            ip_address=ip,
            user_agent=ua,
            connected_at=self.clock(),
            gate=InboundGate(self.profanity),
        )
        first = not self._by_user.get(user.id)
        self._clients[client.id] = client
        self._by_user.setdefault(user.id, set()).add(client.id)
        if not remote:
            self._local[client.id] = client
        pending_part = self._part_timers.pop(user.id, None)
        if pending_part is not None:
            pending_part.cancel()  # a reconnect within 10 s: no part, no join
        if not announce:
            return client
        self._send_user_info(client)
        if self.is_live():
            if first and pending_part is None:
                joined = UserJoined(wire.new_id(), self.clock(), user, client.id)
                if self.settings.current.chat.join_messages_enabled:
                    self.broadcast(
                        wire.Outgoing.of(
                            wire.user_event(wire.USER_JOINED, joined.id, joined.at, user)
                        )
                    )
                self._emit(joined)
            self._spawn(self._welcome_later, client)
        log.debug("chat client joined client=%d user=%s", client.id, user.id)
        return client

    def leave(self, client: ChatClient) -> None:
        """Unregister a connection; USER_PARTED follows 10 s after the user's last one."""
        if not client.connected:
            return
        client.connected = False
        self._clients.pop(client.id, None)
        self._local.pop(client.id, None)
        ids = self._by_user.get(client.user.id)
        if ids is not None:
            ids.discard(client.id)
            if not ids:
                del self._by_user[client.user.id]
                if self._nursery is not None:
                    scope = trio.CancelScope()
                    self._part_timers[client.user.id] = scope
                    self._spawn(self._part_later, client.user.id, scope)
        log.debug("chat client left client=%d user=%s", client.id, client.user.id)

    def drop(self, client: ChatClient, reason: str) -> None:
        """Disconnect a client now, without flushing (its queue is full or it misbehaved)."""
        log.warning(
            "chat client dropped client=%d ip=%s reason=%s", client.id, client.ip_address, reason
        )
        self.leave(client)
        client.outbox.close(flush=False)

    def clients(self) -> list[ChatClient]:
        """Every connected client, oldest first."""
        return list(self._clients.values())

    def client(self, client_id: int) -> ChatClient | None:
        """The connected client with this numeric id."""
        return self._clients.get(client_id)

    def clients_of(self, user_id: str) -> list[ChatClient]:
        """The connections of one user."""
        return [self._clients[i] for i in sorted(self._by_user.get(user_id, ()))]

    def is_live(self) -> bool:
        """A publisher is connected (Owncast's "online" for chat purposes)."""
        return self.stream.is_live or self.stream.online

    # ---- inbound ---------------------------------------------------------------------

    async def receive(
        self,
        client: ChatClient,
        frame: str,
        size: int,
        *,
        message_id: str = "",
        sent_at: float | None = None,
    ) -> None:
        """Handle one text frame from `client` (size in bytes, as received); a CHAT message
        gets `message_id` when given (a cluster stream entry's), else a new id. `sent_at`
        (a cluster entry's stream time) replaces the monotonic clock for the rate limit."""
        await self._frames.receive(client, frame, size, message_id, sent_at)

    # ---- outbound --------------------------------------------------------------------

    def broadcast(self, event: wire.Outgoing) -> None:
        """Queue `event` for every client; clients whose queue is full are dropped."""
        if self.remote_fanout is not None:
            self.remote_fanout(event)
        full: list[ChatClient] = []
        for client in self._local.values():
            if not client.outbox.push(event):
                full.append(client)
        for client in full:
            self.drop(client, "queue-full")

    def send_to(self, client: ChatClient, event: wire.Outgoing) -> None:
        """Queue `event` for one client."""
        if client.connected and not client.outbox.push(event):
            self.drop(client, "queue-full")

    def send_action_to(self, client: ChatClient, markdown: str) -> None:
        """A CHAT_ACTION notice for one client (flood, size, name refusals)."""
        event = wire.action_event(wire.new_id(), self.clock(), render_notice(markdown))
        self.send_to(client, wire.Outgoing.of(event))

    def broadcast_action(self, markdown: str) -> str:
        """An ephemeral CHAT_ACTION for everyone; returns its id."""
        event_id, now, body = wire.new_id(), self.clock(), render_notice(markdown)
        self.broadcast(wire.Outgoing.of(wire.action_event(event_id, now, body)))
        self._emit(SystemMessageSent(event_id, now, wire.CHAT_ACTION, body))
        return event_id

    async def send_action(self, markdown: str, *, ephemeral: bool = False) -> ChatMessage:
        """A CHAT_ACTION for everyone (integrations); persisted unless `ephemeral`."""
        message = ChatMessage(
            wire.new_id(), wire.CHAT_ACTION, render_notice(markdown), self.clock()
        )
        if not ephemeral:
            self.persist(message)
        self.broadcast(
            wire.Outgoing.of(wire.action_event(message.id, message.timestamp, message.body))
        )
        self._emit(SystemMessageSent(message.id, message.timestamp, wire.CHAT_ACTION, message.body))
        return message

    async def send_system_message(self, markdown: str, *, ephemeral: bool = False) -> ChatMessage:
        """A SYSTEM message for everyone, signed with the server name; persisted unless
        `ephemeral`."""
        message = ChatMessage(wire.new_id(), wire.SYSTEM, render_notice(markdown), self.clock())
        if not ephemeral:
            self.persist(message)
        self.broadcast(self._system_outgoing(message.id, message.timestamp, message.body))
        self._emit(SystemMessageSent(message.id, message.timestamp, wire.SYSTEM, message.body))
        return message

    def send_system_message_to_client(self, client_id: int, markdown: str) -> bool:
        """A SYSTEM message for one connection; False when no such client is connected."""
        client = self._clients.get(client_id)
        if client is None:
            return False
        self.send_to(
            client, self._system_outgoing(wire.new_id(), self.clock(), render_notice(markdown))
        )
        return True

    async def send_bot_message(self, bot: ChatUser, markdown: str) -> ChatMessage | None:
        """A CHAT message from an integration's bot user (sanitised like any message, unlike
        Owncast); None when the body renders to nothing."""
        body = render_chat_body(markdown, await self.emoji.shortcodes())
        if not body:
            return None
        bot = replace(bot, is_bot=True)
        message = ChatMessage(
            wire.new_id(), wire.CHAT, body, self.clock(), user=bot, raw_body=markdown
        )
        self.persist(message)
        self.broadcast(wire.Outgoing.of(wire.chat_event(message.id, message.timestamp, bot, body)))
        self._emit(ChatMessageSent(message))
        return message

    def current_user(self, user_id: str) -> ChatUser | None:
        """The in-memory user of a connected user (None when not connected)."""
        ids = self._by_user.get(user_id)
        return self._clients[next(iter(ids))].user if ids else None

    def update_user(self, user: ChatUser, *, notify: bool) -> None:
        """Replace a user on all their connections; `notify` re-sends CONNECTED_USER_INFO."""
        for client in self.clients_of(user.id):
            client.user = user
            if notify:
                self._send_user_info(client)

    def _system_outgoing(self, event_id: str, at: datetime, body: str) -> wire.Outgoing:
        server_name = self.settings.current.server.name
        return wire.Outgoing.of(wire.system_event(event_id, at, body, server_name))

    def _send_user_info(self, client: ChatClient) -> None:
        event = wire.user_event(wire.CONNECTED_USER_INFO, wire.new_id(), self.clock(), client.user)
        self.send_to(client, wire.Outgoing.of(event))

    # ---- internals -------------------------------------------------------------------

    def _emit(self, event: ChatEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("chat listener failed event=%s", type(event).__name__)

    def persist(self, message: ChatMessage) -> None:
        """Queue `message` to the chat history (a failure is logged, never raised)."""
        try:
            self.repo.queue_message(message)
        except Exception:
            log.exception("chat message not saved id=%s", message.id)

    def _spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        assert self._nursery is not None, "ChatRoom.run() has not started"
        self._nursery.start_soon(fn, *args)

    async def _welcome_later(self, client: ChatClient) -> None:
        await trio.sleep(WELCOME_DELAY_SECONDS)
        welcome = self.settings.current.server.welcome_message
        if client.connected and welcome.strip() and self.is_live():
            body = render_notice(welcome)
            self.send_to(client, self._system_outgoing(wire.new_id(), self.clock(), body))

    async def _part_later(self, user_id: str, scope: trio.CancelScope) -> None:
        with scope:
            await trio.sleep(PART_DELAY_SECONDS)
        if self._part_timers.get(user_id) is scope:
            del self._part_timers[user_id]
        if scope.cancelled_caught or self._by_user.get(user_id):
            return
        try:
            user = await self.repo.user(user_id)
        except Exception:
            # This timer runs in the room's nursery: a store failure must not end the room.
            log.exception("chat part not announced user=%s", user_id)
            return
        if user is None:
            return
        parted = UserParted(wire.new_id(), self.clock(), user)
        if self.settings.current.chat.join_messages_enabled:
            self.broadcast(
                wire.Outgoing.of(wire.user_event(wire.USER_PARTED, parted.id, parted.at, user))
            )
        self._emit(parted)

    async def _prune(self) -> None:
        try:
            removed = await self.repo.prune_messages(self.clock() - RETENTION)
        except Exception:
            log.exception("chat retention pruning failed")
            return
        if removed:
            log.info("chat messages pruned count=%d", removed)

    def close_later(self, clients: Iterable[ChatClient], delay: float) -> None:
        """Close these connections after `delay` seconds (used when disabling a user)."""
        self._spawn(self._close_after, list(clients), delay)

    async def _close_after(self, clients: list[ChatClient], delay: float) -> None:
        await trio.sleep(delay)
        for client in clients:
            self.leave(client)
            client.outbox.close(flush=True)

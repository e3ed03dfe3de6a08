"""What a client's text frames do in the chat room (reference §2.2): CHAT, NAME_CHANGE and
COLOR_CHANGE, after the inbound gate (size, flood, rate, slurs, established users)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from owncastd.core.chat import wire
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.events import ChatMessageSent, NameChanged
from owncastd.core.chat.models import MAX_USER_COLOR, ChatMessage
from owncastd.core.chat.names import clean_display_name, forbidden_word
from owncastd.core.chat.pipeline import Refusal
from owncastd.core.chat.render import escape_markdown, render_chat_body
from owncastd.core.json_text import lone_surrogate_path

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom

log = logging.getLogger(__name__)

OFFLINE_GRACE = timedelta(minutes=5)  # chat stays open this long after the stream ends


class FrameHandler:
    """Dispatches one client's frames to the room."""

    def __init__(self, room: ChatRoom) -> None:
        self._room = room

    async def receive(
        self,
        client: ChatClient,
        frame: str,
        size: int,
        message_id: str = "",
        sent_at: float | None = None,
    ) -> None:
        """Handle one text frame from `client` (size in bytes, as received). A remote client's
        frames are always rate-limited by `sent_at`, their stream time: the limiter stays exact
        for live traffic and a backlog read late is not seen as a flood."""
        room = self._room
        if client.user.disabled:
            return
        text = frame.replace("\n", " ").strip()
        now = room.monotonic() if sent_at is None else sent_at
        refusal = client.gate.check(
            text, size, client.user, room.settings.current.chat, now, room.clock()
        )
        if refusal is not None:
            self._refuse(client, refusal)
            return
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            log.debug("chat frame is not JSON client=%d", client.id)
            return
        if not isinstance(data, dict):
            return
        if lone_surrogate_path(data) is not None:  # "\ud800": cannot be stored or sent on
            log.debug("chat frame has invalid Unicode client=%d", client.id)
            return
        kind = data.get("type")
        if kind == wire.CHAT:
            await self._chat_from(client, data.get("body"), message_id)
        elif kind == wire.NAME_CHANGE:
            await self._rename(client, data.get("newName"))
        elif kind == wire.COLOR_CHANGE:
            await self._recolor(client, data.get("newColor"))
        else:
            log.debug("chat event ignored client=%d type=%.40r", client.id, kind)

    def _refuse(self, client: ChatClient, refusal: Refusal) -> None:
        room = self._room
        log.info("chat frame refused client=%d reason=%s", client.id, refusal.reason)
        if refusal.notice:
            room.send_action_to(client, refusal.notice)

    async def _chat_from(self, client: ChatClient, body: Any, message_id: str = "") -> None:
        room = self._room
        if not isinstance(body, str):
            return
        rendered = render_chat_body(body, await room.emoji.shortcodes())
        if not rendered or self._offline_too_long():
            return
        message = ChatMessage(
            id=message_id or wire.new_id(),
            type=wire.CHAT,
            body=rendered,
            timestamp=room.clock(),
            user=client.user,
            raw_body=body,
            client_id=client.id,
        )
        room.persist(message)
        if not client.connected or client.user.disabled:
            return
        room.broadcast(
            wire.Outgoing.of(wire.chat_event(message.id, message.timestamp, client.user, rendered))
        )
        client.message_count += 1
        room._emit(ChatMessageSent(message))

    def _offline_too_long(self) -> bool:
        room = self._room
        if room.is_live() or room.scheduled_chat_open():
            return False
        last = room.stream.stats.last_disconnect_time
        return last is not None and room.clock() - last > OFFLINE_GRACE

    async def _rename(self, client: ChatClient, new_name: Any) -> None:
        room = self._room
        if not isinstance(new_name, str):
            return
        user = client.user
        name = clean_display_name(new_name)
        if not name or name == user.display_name:
            return
        if forbidden_word(name, room.settings.current.chat.forbidden_usernames) is not None:
            room.send_action_to(
                client, f"You cannot change your name to **{escape_markdown(name)}**."
            )
            room._send_user_info(client)
            return
        if await room.repo.name_taken(name, except_user_id=user.id):
            room.send_action_to(
                client,
                f"The name **{escape_markdown(name)}** has been already registered. "
                "If this is your name, please authenticate.",
            )
            room._send_user_info(client)
            return
        user = room.current_user(user.id) or user
        now = room.clock()
        renamed = replace(
            user,
            display_name=name,
            previous_names=(*user.previous_names, name),
            name_changed_at=now,
        )
        await room.repo.save_user(renamed)
        room.update_user(renamed, notify=True)
        changed = NameChanged(wire.new_id(), now, renamed, user.display_name, client.id)
        room.broadcast(
            wire.Outgoing.of(wire.name_change_event(changed.id, now, renamed, user.display_name))
        )
        room._emit(changed)

    async def _recolor(self, client: ChatClient, color: Any) -> None:
        room = self._room
        if isinstance(color, bool) or not isinstance(color, int):
            return
        if not 0 <= color <= MAX_USER_COLOR:
            return
        user = room.current_user(client.user.id) or client.user
        recolored = replace(user, display_color=color)
        await room.repo.save_user(recolored)
        room.update_user(recolored, notify=False)
        room._send_user_info(client)

"""Moderation escalation: a moderator sends a chat message or a user to the team (a new
labelled Chatwoot conversation with the message, its author and their recent messages), and
agents allowed by `allowed_agent_ids` act back with `/hide`, `/ban` or `/timeout 10m` in their
reply; the result (or the refusal) is confirmed in the conversation as a private note.

A timeout disables the user (as a ban: messages hidden, sockets closed, addresses banned) and
re-enables them and lifts those address bans when it ends; it is not kept across a restart
(the user then stays disabled until a moderator re-enables them).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

import trio

from owncastd.core.chatwoot.commands import AgentCommand, CommandError, parse_command
from owncastd.core.chatwoot.ports import ChatwootMessage
from owncastd.core.chatwoot.records import CONFIRMATION, ESCALATION, OutboxRow

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom
    from owncastd.core.chatwoot.bridge import ChatwootBridge

log = logging.getLogger(__name__)

RECENT_MESSAGES = 10
_TAG = re.compile(r"<[^>]*>")


class ChatLine(NamedTuple):
    """A chat message as the escalation shows it."""

    id: str
    user_id: str
    body: str  # rendered HTML, as stored
    timestamp: str
    author: str


class ChatHistory(Protocol):
    """Reads chat's tables (implemented by `store/chatwoot_chat.py`)."""

    async def message(self, message_id: str) -> ChatLine | None: ...

    async def user_name(self, user_id: str) -> str | None: ...

    async def recent(self, user_id: str, limit: int) -> list[ChatLine]: ...


def plain_text(body: str) -> str:
    """A stored chat body (HTML) as plain text for Chatwoot."""
    return html.unescape(_TAG.sub("", body)).strip()


class Escalations:
    """Escalations to the team and agents' commands in them."""

    def __init__(
        self,
        bridge: ChatwootBridge,
        room: ChatRoom,
        history: ChatHistory,
        clock: Callable[[], float],
    ) -> None:
        self._bridge = bridge
        self._room = room
        self._history = history
        self._clock = clock
        self._nursery: trio.Nursery | None = None
        bridge.escalation_handler = self.on_agent_message

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Hold the timeouts' timers until cancelled."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await trio.sleep_forever()

    async def escalate(
        self, *, message_id: str = "", user_id: str = "", note: str = "", moderator: str = ""
    ) -> str:
        """Queue an escalation of a message (or a user); its row id. LookupError: unknown."""
        reported = await self._history.message(message_id) if message_id else None
        if message_id and reported is None:
            raise LookupError(f"message {message_id} not found")
        author_id = reported.user_id if reported is not None else user_id
        name = await self._history.user_name(author_id) if author_id else None
        if name is None:
            raise LookupError(f"user {author_id or '(none)'} not found")
        lines = [f"Escalated from Owncast chat by {moderator or 'a moderator'}."]
        if note:
            lines.append(f"Note: {note}")
        lines.append(f"Author: {name} (user id {author_id})")
        if reported is not None:
            lines.append(f"Reported message ({reported.timestamp}): {plain_text(reported.body)}")
        lines.append("Recent messages:")
        for line in await self._history.recent(author_id, RECENT_MESSAGES):
            lines.append(f"- {line.timestamp}: {plain_text(line.body)}")
        lines.append("Reply /hide, /ban or /timeout 10m to act.")
        row = OutboxRow(
            id=secrets.token_urlsafe(12),
            kind=ESCALATION,
            user_id=author_id,
            content="\n".join(lines),
            created_at=self._clock(),
            next_attempt=self._clock(),
            name=name,
            subject=reported.id if reported is not None else "",
        )
        await self._bridge.repo.enqueue(row)
        self._bridge.worker.kick()
        log.info("chatwoot escalation queued user=%s message=%s", author_id, row.subject)
        return row.id

    async def on_agent_message(self, conversation_id: int, message: ChatwootMessage) -> None:
        """An agent's reply in an escalation conversation: run its command if allowed."""
        conversation = await self._bridge.repo.conversation(conversation_id)
        if conversation is None:
            return
        try:
            command = parse_command(message.content)
        except CommandError as exc:
            await self.confirm(conversation_id, conversation.user_id, f"Not done: {exc}")
            return
        if command is None:
            return
        allowed = self._bridge.settings().allowed_agent_ids
        if message.sender_id not in allowed:
            who = f"{message.sender_name or 'this agent'} (id {message.sender_id})"
            await self.confirm(
                conversation_id,
                conversation.user_id,
                f"Refused: {who} may not run moderation commands (allowed_agent_ids).",
            )
            log.warning("chatwoot command refused agent=%s", message.sender_id)
            return
        done = await self._execute(command, conversation.user_id, conversation.message_id)
        log.info("chatwoot command agent=%s command=%s", message.sender_id, command.name)
        await self.confirm(conversation_id, conversation.user_id, done)

    async def _execute(self, command: AgentCommand, user_id: str, message_id: str) -> str:
        moderation = self._room.moderation
        if command.name == "hide":
            repo = self._room.repo
            ids = [message_id] if message_id else await repo.visible_message_ids_of(user_id)
            await moderation.set_visibility(ids, False)
            return f"Done: {len(ids)} message(s) hidden for every viewer."
        before = {ban.ip_address for ban in self._room.bans.all()}
        if await moderation.set_user_enabled(user_id, False) is None:
            return "Not done: the user no longer exists."
        if command.name == "ban":
            return "Done: the user is banned from chat."
        banned = [b.ip_address for b in self._room.bans.all() if b.ip_address not in before]
        if self._nursery is not None:
            self._nursery.start_soon(self._lift_later, user_id, banned, command.seconds)
        return f"Done: the user is timed out for {command.seconds} seconds."

    async def _lift_later(self, user_id: str, addresses: list[str], seconds: int) -> None:
        await trio.sleep(seconds)
        try:
            await self._room.moderation.set_user_enabled(user_id, True)
            for address in addresses:
                await self._room.moderation.unban_ip(address)
        except Exception:  # the database failing must not stop the daemon
            log.exception("chatwoot timeout could not be lifted user=%s", user_id)
            return
        log.info("chatwoot timeout ended user=%s", user_id)

    async def confirm(self, conversation_id: int, user_id: str, text: str) -> None:
        """Queue a private note in the conversation (through the outbox: retried)."""
        row = OutboxRow(
            id=secrets.token_urlsafe(12),
            kind=CONFIRMATION,
            user_id=user_id,
            content=text,
            created_at=self._clock(),
            next_attempt=self._clock(),
            conversation_id=conversation_id,
        )
        await self._bridge.repo.enqueue(row)
        self._bridge.worker.kick()

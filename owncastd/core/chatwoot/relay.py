"""The public relay: agents' messages in the designated Chatwoot conversation are posted to
public chat as a bot user (an integration-type user, `isBot` true)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from owncastd.core.chat.models import ChatUser
from owncastd.core.chatwoot.ports import ChatwootMessage

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom
    from owncastd.core.chatwoot.bridge import ChatwootBridge

RELAY_USER_ID = "chatwoot-relay"
RELAY_NAME = "Team"


def relay_user(created_at: datetime) -> ChatUser:
    """The bot user relayed messages appear as."""
    return ChatUser(
        id=RELAY_USER_ID,
        display_name=RELAY_NAME,
        display_color=0,
        created_at=created_at,
        previous_names=(RELAY_NAME,),
        is_bot=True,
    )


def attach_relay(
    bridge: ChatwootBridge,
    room: ChatRoom,
    ensure_user: Callable[[str, str, datetime], Awaitable[None]],
) -> None:
    """Post the relay conversation's agent messages to public chat; `ensure_user` stores the
    bot user (idempotent) so history shows its messages."""
    bot = relay_user(room.clock())

    async def relay(conversation_id: int, message: ChatwootMessage) -> None:
        text = message.content or ""
        links = "".join(f"\n{url}" for url in message.attachments)
        if text or links:
            await ensure_user(bot.id, bot.display_name, bot.created_at)
            await room.send_bot_message(bot, text + links)

    bridge.relay_handler = relay

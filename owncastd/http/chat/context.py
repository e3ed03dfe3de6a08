"""What the chat routes need: the room, its store and the emoji directory."""

from __future__ import annotations

import resource
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.room import ChatRoom
from owncastd.core.chat.slurs import GlinProfanityCheck
from owncastd.core.stream import Stream
from owncastd.store.chat import ChatStore
from owncastd.store.database import Store


@dataclass(frozen=True)
class ChatServices:
    """Handed to the web app by the composition root."""

    room: ChatRoom
    store: ChatStore
    emoji_dir: Path


async def build_chat(
    store: Store,
    settings: SettingsRef,
    stream: Stream,
    clock: Callable[[], datetime],
    data_dir: Path,
) -> ChatServices:
    """Wire the chat room over the store (the profanity lists load on a worker thread)."""
    profanity = await trio.to_thread.run_sync(GlinProfanityCheck)
    chat_store = ChatStore(store)
    room = ChatRoom(
        repo=chat_store,
        settings=settings,
        stream=stream,
        clock=clock,
        profanity=profanity,
        max_clients=connection_limit(),
    )
    return ChatServices(room=room, store=chat_store, emoji_dir=data_dir / "emoji")


def connection_limit() -> int:
    """The chat connection cap: 70% of the soft open-files limit (the daemon raised it at start
    to 70% of the hard one, as Owncast does; see ops/open_files.py)."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ValueError, OSError):
        return 1000
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(1, int(min(soft, 1 << 20) * 0.7))

"""What the chat routes need: the room, its store and the emoji directory (built by the
composition root, `owncastd/wiring.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom
    from owncastd.store.chat import ChatStore


@dataclass(frozen=True)
class ChatServices:
    """Handed to the web app by the composition root."""

    room: ChatRoom
    store: ChatStore
    emoji_dir: Path

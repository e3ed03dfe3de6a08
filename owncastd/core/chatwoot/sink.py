"""Delivering a private-thread event to one user's chat sockets (never a broadcast)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from owncastd.core.chat import wire

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom


def room_sink(room: ChatRoom) -> Any:
    """A `ViewerSink` over the chat room: the event goes to every open socket of the user."""

    def deliver(user_id: str, event: dict[str, Any]) -> int:
        clients = room.clients_of(user_id)
        if clients:
            outgoing = wire.Outgoing.of(event)
            for client in clients:
                room.send_to(client, outgoing)
        return len(clients)

    return deliver

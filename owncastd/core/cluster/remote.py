"""Edges' chat sockets as clients of the origin's room (contract §1–§3).

A remote client is a :class:`ChatClient` like a local one (admin client list, joins and parts,
CONNECTED_USER_INFO, renames, moderation), whose outbox publishes targeted frames
(`c:<client_id>`) instead of writing to a socket. Broadcasts skip remote clients: the room hands
each one to `fanout` once, published as `*`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.room import ChatRoom
from owncastd.core.chat.wire import Outgoing
from owncastd.core.cluster.entries import InboundEntry
from owncastd.core.cluster.ports import ClusterBus

log = logging.getLogger(__name__)


def disconnect(target: str) -> dict[str, str]:
    """The control message closing the sockets of `target` (`c:…`, `u:…` or `ip:…`)."""
    return {"type": "disconnect", "target": target}


class RemoteOutbox:
    """One edge socket's outbound side: frames are published for the edge to forward."""

    __slots__ = ("_bus", "_on_close", "_prefix", "target")

    def __init__(self, bus: ClusterBus, client_id: str, on_close: Callable[[str], None]) -> None:
        self.target = "c:" + client_id
        self._prefix = self.target.encode() + b"\n"
        self._bus = bus
        self._on_close = on_close

    def push(self, event: Outgoing) -> bool:
        """Publish the event's frame for this socket (never full: the edge has the queue)."""
        self._bus.publish_chat(self._prefix + event.payload)
        return True

    def close(self, *, flush: bool = True) -> None:
        """Ask the edge to close the socket (what was published before arrives first)."""
        self._on_close(self.target[2:])
        self._bus.publish_control(disconnect(self.target))


class RemoteClients:
    """The registry of edges' sockets, keyed by their contract id `<edge_id>/<n>`."""

    def __init__(self, room: ChatRoom, bus: ClusterBus) -> None:
        self._room = room
        self._bus = bus
        self._clients: dict[str, ChatClient] = {}
        self._edge_of: dict[str, str] = {}
        self._by_edge: dict[str, set[str]] = {}
        room.remote_fanout = self.fanout

    def fanout(self, event: Outgoing) -> None:
        """A broadcast, published once for every socket of every edge."""
        self._bus.publish_chat(b"*\n" + event.payload)

    def __len__(self) -> int:
        return len(self._clients)

    def get(self, client_id: str) -> ChatClient | None:
        """The room client of an edge socket."""
        return self._clients.get(client_id)

    def edges(self) -> set[str]:
        """The edges that have sockets registered."""
        return set(self._by_edge)

    def sockets_of(self, edge: str) -> int:
        """How many sockets of `edge` are registered."""
        return len(self._by_edge.get(edge, ()))

    async def handle(self, entry: InboundEntry) -> None:
        """Apply one inbound entry to the room."""
        client = self._clients.get(entry.client)
        if entry.kind == "disconnect":
            if client is not None:
                self._forget(entry.client)
                self._room.leave(client)
            return
        if entry.kind in ("connect", "resync"):
            if client is None:
                await self._register(entry, announce=entry.kind == "connect")
            return
        if client is None:  # sent before its resync arrived (an origin restart)
            client = await self._register(entry, announce=False)
            if client is None:
                return
        body = entry.body
        await self._room.receive(
            client,
            body,
            len(body.encode("utf-8", "replace")),
            message_id=entry.message_id,
            sent_at=entry.sent_at,
        )

    async def _register(self, entry: InboundEntry, *, announce: bool) -> ChatClient | None:
        room = self._room
        # Not room.precheck: edges' sockets use none of this process's connection slots.
        refusal = "disabled" if room.settings.current.chat.disabled else None
        refusal = "banned" if room.bans.is_banned(entry.ip) else refusal
        user = await room.repo.user(entry.user) if entry.user else None
        if refusal is not None or user is None or user.disabled:
            log.info("cluster client refused client=%s reason=%s", entry.client, refusal or "user")
            self._bus.publish_control(disconnect("c:" + entry.client))
            return None
        user = room.current_user(user.id) or user
        outbox = RemoteOutbox(self._bus, entry.client, self._forget)
        client = room.join(user, outbox, entry.ip, entry.ua, remote=True, announce=announce)
        self._clients[entry.client] = client
        self._edge_of[entry.client] = entry.edge
        self._by_edge.setdefault(entry.edge, set()).add(entry.client)
        return client

    def _forget(self, client_id: str) -> None:
        client = self._clients.pop(client_id, None)
        if client is None:
            return
        edge = self._edge_of.pop(client_id, "")
        ids = self._by_edge.get(edge)
        if ids is not None:
            ids.discard(client_id)
            if not ids:
                del self._by_edge[edge]

    def drop_edge(self, edge: str) -> int:
        """An edge is gone: its sockets leave the room (and are told to close, should the edge
        still be there). Returns how many."""
        ids = sorted(self._by_edge.get(edge, ()))
        for client_id in ids:
            client = self._clients.get(client_id)
            if client is not None:
                self._room.leave(client)
                client.outbox.close(flush=False)
        return len(ids)

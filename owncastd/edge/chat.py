"""The edge's chat room: sockets here, decisions at the origin (issue 18, contract §1–§4, §7).

`serve_chat_socket` drives it as it drives the origin's `ChatRoom` (`SocketRoom`), but every
client event becomes a stream entry for the origin (`post`), and the origin's frames are
forwarded to the sockets they target byte for byte (`deliver`): `*` every socket, `c:<id>` one,
`u:<user>` each of a user's. While Redis is down (`pause`) sockets stay open, are told chat is
paused, and a message sent meanwhile gets an error notice instead of being lost silently.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from owncastd.config.settings import SettingsRef
from owncastd.core.chat import wire
from owncastd.core.chat.clients import ChatClient
from owncastd.core.chat.models import ChatUser
from owncastd.core.chat.pipeline import InboundGate
from owncastd.core.chat.ports import Outbox
from owncastd.core.chat.render import render_notice
from owncastd.core.chat.room import CHAT_DISABLED, FULL
from owncastd.core.chat.slurs import NoProfanityCheck

log = logging.getLogger(__name__)

PAUSED = "Chat is **paused** for a moment: messages sent now are not delivered."
RESUMED = "Chat is **back**."
NOT_SENT = "Your message was **not sent**: chat is paused. Please send it again in a moment."
BUSY = "Your message was **not sent**: the server is busy. Please send it again."

Entry = dict[str, str]
Post = Callable[[Entry], bool]  # queue a stream entry for the origin; False when it cannot
TokenCheck = Callable[[str], Awaitable[ChatUser | None]]
# The rate limits and filters run at the origin: every edge client shares one unused gate.
_NO_GATE = InboundGate(NoProfanityCheck())


class EdgeChat:
    """Every chat socket on this edge, by client, user and address."""

    def __init__(
        self,
        *,
        edge_id: str,
        settings: SettingsRef,
        token_check: TokenCheck,
        post: Post,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.time,
        first_id: int = 1,
    ) -> None:
        self.edge_id = edge_id
        self._settings = settings
        self._token_check = token_check
        self._post = post
        self.max_clients = max_clients
        self._clock = clock
        self._ids = itertools.count(first_id)
        self._clients: dict[int, ChatClient] = {}
        self._by_user: dict[str, set[int]] = {}
        self.paused = False
        self.chat_disabled = False  # the origin's `chatDisabled` (/api/config)
        self.deliveries = 0  # frames pushed to sockets (Prometheus, bench)

    @property
    def settings(self) -> SettingsRef:
        """The edge's settings (trusted proxies for the client address)."""
        return self._settings

    # ---- SocketRoom ----------------------------------------------------------------------

    def precheck(self, ip: str) -> str | None:
        """CHAT_DISABLED as the origin's config says, FULL past `max_clients`; bans are the
        origin's (it closes a banned user's or address's sockets once they connect)."""
        if self.chat_disabled:
            return CHAT_DISABLED
        return FULL if len(self._clients) >= self.max_clients else None

    async def authenticate(self, token: str) -> ChatUser | None:
        """The token's user as the origin knows it (cached), or None: needs registration."""
        return await self._token_check(token) if token else None

    def join(self, user: ChatUser, outbox: Outbox, ip: str, user_agent: str) -> ChatClient:
        """Register a socket and tell the origin (which greets it with targeted frames)."""
        client = ChatClient(
            id=next(self._ids),
            user=user,
            outbox=outbox,
            ip_address=ip,
            user_agent=user_agent,
            connected_at=datetime.now(UTC),
            gate=_NO_GATE,
        )
        self._clients[client.id] = client
        self._by_user.setdefault(user.id, set()).add(client.id)
        self._post(self.entry("connect", client))
        if self.paused:
            self._notice(client, PAUSED)
        return client

    async def receive(self, client: ChatClient, frame: str, size: int) -> None:
        """Forward one client frame to the origin, or tell the client it was not sent."""
        if self.paused:
            self._notice(client, NOT_SENT)
            return
        entry = self.entry("message", client)
        entry["body"] = frame
        if not self._post(entry):
            self._notice(client, BUSY)

    def leave(self, client: ChatClient) -> None:
        """Unregister a socket and tell the origin."""
        if not client.connected:
            return
        client.connected = False
        self._clients.pop(client.id, None)
        ids = self._by_user.get(client.user.id)
        if ids is not None:
            ids.discard(client.id)
            if not ids:
                del self._by_user[client.user.id]
        self._post(self.entry("disconnect", client))

    def drop(self, client: ChatClient, reason: str) -> None:
        """Disconnect a socket now (its queue is full, or it was too slow)."""
        log.warning("edge chat client dropped client=%s reason=%s", self.wire_id(client), reason)
        self.leave(client)
        client.outbox.close(flush=False)

    # ---- from the origin -----------------------------------------------------------------

    def deliver(self, message: bytes) -> None:
        """Forward `TARGET "\\n" FRAME` from the origin to the sockets it targets."""
        target, _, frame = message.partition(b"\n")
        event = wire.Outgoing("", frame)  # framed once, shared by every socket
        if target == b"*":
            clients = list(self._clients.values())
        else:
            clients = self._targets(target.decode("utf-8", "replace"))
        full = [client for client in clients if not client.outbox.push(event)]
        self.deliveries += len(clients)
        for client in full:
            self.drop(client, "queue-full")

    def disconnect(self, target: str) -> int:
        """Close the sockets of `u:<user>`, `c:<client>` or `ip:<address>` (origin's bans)."""
        if target.startswith("ip:"):
            address = target[3:]
            clients = [c for c in self._clients.values() if c.ip_address == address]
        else:
            clients = self._targets(target)
        for client in clients:
            self.leave(client)
            client.outbox.close(flush=True)
        return len(clients)

    def resync(self) -> None:
        """Tell the origin (after its restart) about every socket still open here."""
        for client in list(self._clients.values()):
            self._post(self.entry("resync", client))

    def pause(self) -> None:
        """Redis is gone: tell every socket chat is paused (once)."""
        if not self.paused:
            self.paused = True
            self._notice_all(PAUSED)

    def resume(self) -> None:
        """Redis is back: tell every socket chat works again."""
        if self.paused:
            self.paused = False
            self._notice_all(RESUMED)

    def detach(self) -> list[Entry]:
        """The edge is stopping: a `disconnect` entry for every socket, and nothing posted
        from now on (the sockets' own leaving would repeat them)."""
        entries = [self.entry("disconnect", client) for client in self._clients.values()]
        self._post = _not_posted
        return entries

    # ---- queries -------------------------------------------------------------------------

    def clients(self) -> list[ChatClient]:
        """Every socket, oldest first."""
        return list(self._clients.values())

    def wire_id(self, client: ChatClient) -> str:
        """The cluster-wide client id `<edge_id>/<n>` (contract §2)."""
        return f"{self.edge_id}/{client.id}"

    def entry(self, kind: str, client: ChatClient) -> Entry:
        """A `P:chat:in` entry about `client` (contract §3)."""
        return {
            "kind": kind,
            "edge": self.edge_id,
            "client": self.wire_id(client),
            "user": client.user.id,
            "ip": client.ip_address,
            "ua": client.user_agent,
            "at": f"{self._clock():.3f}",
        }

    # ---- internals -----------------------------------------------------------------------

    def _targets(self, target: str) -> list[ChatClient]:
        kind, _, value = target.partition(":")
        if kind == "u":
            return [self._clients[i] for i in sorted(self._by_user.get(value, ()))]
        if kind == "c":
            edge, _, number = value.rpartition("/")
            if edge == self.edge_id and number.isdigit():
                client = self._clients.get(int(number))
                return [client] if client is not None else []
        return []

    def _notice(self, client: ChatClient, markdown: str) -> None:
        if client.connected and not client.outbox.push(_notice(markdown)):
            self.drop(client, "queue-full")

    def _notice_all(self, markdown: str) -> None:
        event = _notice(markdown)
        full = [c for c in self._clients.values() if not c.outbox.push(event)]
        for client in full:
            self.drop(client, "queue-full")


def _not_posted(entry: Entry) -> bool:
    return False


def _notice(markdown: str) -> wire.Outgoing:
    """A CHAT_ACTION notice from this edge (not stored anywhere)."""
    event = wire.action_event(wire.new_id(), datetime.now(UTC), render_notice(markdown))
    return wire.Outgoing.of(event)

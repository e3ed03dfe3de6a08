"""Moderation (reference §2.8–2.10): hiding messages, disabling users, moderators, IP bans.

Used by the admin routes, the moderator routes (chat token with the MODERATOR scope) and
integrations. Every change is committed before it is announced.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from owncastd.core.chat import wire
from owncastd.core.chat.events import ModeratorChanged, UserDisabled, VisibilityChanged
from owncastd.core.chat.models import MODERATOR, ChatUser
from owncastd.core.chat.render import escape_markdown

if TYPE_CHECKING:
    from owncastd.core.chat.room import ChatRoom

log = logging.getLogger(__name__)

DISABLED_CLOSE_DELAY_SECONDS = 2.0


@dataclass(frozen=True)
class IpBan:
    """One banned address (`ip_bans` row)."""

    ip_address: str
    notes: str
    created_at: datetime


def normalize_ip(ip: str) -> str:
    """The canonical text of an address (IPv4-mapped IPv6 becomes IPv4); "" if invalid."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def is_loopback(ip: str) -> bool:
    """127.0.0.0/8 and ::1 are never banned automatically."""
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


class BanList:
    """The IP bans, kept in memory for the per-connection check."""

    def __init__(self) -> None:
        self._bans: dict[str, IpBan] = {}

    def load(self, rows: Iterable[tuple[str, str, datetime]]) -> None:
        """Replace the list with the stored rows."""
        self._bans = {normalize_ip(ip) or ip: IpBan(ip, notes, at) for ip, notes, at in rows}

    def is_banned(self, ip: str) -> bool:
        """True when `ip` is banned."""
        return bool(self._bans) and (normalize_ip(ip) or ip) in self._bans

    def add(self, ban: IpBan) -> None:
        """Record a ban."""
        self._bans[ban.ip_address] = ban

    def remove(self, ip: str) -> bool:
        """Forget a ban; False when there was none."""
        return self._bans.pop(normalize_ip(ip) or ip, None) is not None

    def all(self) -> list[IpBan]:
        """Every ban, oldest first."""
        return sorted(self._bans.values(), key=lambda ban: ban.created_at)


class ChatModeration:
    """Moderation actions on a room."""

    def __init__(self, room: ChatRoom) -> None:
        self._room = room

    async def set_visibility(self, ids: Sequence[str], visible: bool) -> None:
        """Hide or show messages and broadcast VISIBILITY-UPDATE."""
        ids = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i]
        if not ids:
            return
        room = self._room
        now = room.clock()
        await room.repo.set_hidden(ids, None if visible else now)
        changed = VisibilityChanged(wire.new_id(), now, tuple(ids), visible)
        room.broadcast(wire.Outgoing.of(wire.visibility_event(changed.id, now, ids, visible)))
        room._emit(changed)

    async def set_user_enabled(self, user_id: str, enabled: bool) -> ChatUser | None:
        """Disable (ban) or re-enable a user; None when the user does not exist.

        Disabling hides all their messages, sends ERROR_USER_DISABLED to their connections and
        closes them 2 s later, announces the removal and IP-bans their non-loopback addresses.
        """
        room = self._room
        user = await room.repo.user(user_id)
        if user is None:
            return None
        now = room.clock()
        if enabled:
            if user.disabled_at is not None:
                user = replace(user, disabled_at=None)
                await room.repo.save_user(user)
            room._emit(UserDisabled(now, user, enabled=True))
            return user
        user = replace(user, disabled_at=user.disabled_at or now)
        await room.repo.save_user(user)
        await self.set_visibility(await room.repo.visible_message_ids_of(user.id), False)
        clients = room.clients_of(user.id)
        banned: list[str] = []
        for client in clients:
            client.user = user
            room.send_to(
                client,
                wire.Outgoing.of(
                    wire.user_event(wire.ERROR_USER_DISABLED, wire.new_id(), now, user)
                ),
            )
            ip = normalize_ip(client.ip_address)
            if ip and not is_loopback(ip) and ip not in banned:
                banned.append(ip)
        if clients:
            room.close_later(clients, DISABLED_CLOSE_DELAY_SECONDS)
        room.broadcast_action(
            f"**{escape_markdown(user.display_name)}** has been removed from chat."
        )
        for ip in banned:
            await self.ban_ip(ip, f"Banning of {user.display_name}")
        log.info(
            "chat user disabled user=%s connections=%d ip_bans=%d",
            user.id,
            len(clients),
            len(banned),
        )
        room._emit(UserDisabled(now, user, enabled=False, banned_ips=tuple(banned)))
        return user

    async def set_moderator(self, user_id: str, is_moderator: bool) -> ChatUser | None:
        """Grant or revoke MODERATOR; the user's clients get a fresh CONNECTED_USER_INFO."""
        room = self._room
        user = room.current_user(user_id) or await room.repo.user(user_id)
        if user is None:
            return None
        scopes = [s for s in user.scopes if s != MODERATOR]
        if is_moderator:
            scopes.append(MODERATOR)
        user = replace(user, scopes=tuple(scopes))
        await room.repo.save_user(user)
        room.update_user(user, notify=True)
        room._emit(ModeratorChanged(room.clock(), user))
        return user

    async def ban_ip(self, ip: str, notes: str = "") -> IpBan | None:
        """Ban an address (existing connections from it stay until they reconnect, as in
        Owncast); None when `ip` is not an IP address."""
        address = normalize_ip(ip)
        if not address:
            return None
        ban = IpBan(address, notes, self._room.clock())
        await self._room.repo.add_ip_ban(ban.ip_address, ban.notes, ban.created_at)
        self._room.bans.add(ban)
        return ban

    async def unban_ip(self, ip: str) -> bool:
        """Lift a ban; False when the address was not banned."""
        address = normalize_ip(ip) or ip.strip()
        await self._room.repo.remove_ip_ban(address)
        return self._room.bans.remove(address)

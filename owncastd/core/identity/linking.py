"""Linking a verified identity to a chat user (develop §2.1, §2.2): the "re-point or attach"
rule both login kinds share.

- Someone already owns this identity: the viewer's access token is re-pointed to that owner
  (the viewer becomes them on the next connect); when the names differ, everyone gets an
  ephemeral CHAT_ACTION ``**<name>** is now authenticated as **<owner>**``.
- Nobody does: an `auth` row links it to the viewer's user, who is marked authenticated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from owncastd.core.chat.render import escape_markdown

log = logging.getLogger(__name__)

FEDIVERSE = "fediverse"
INDIEAUTH = "indieauth"
NAME_CUT = 30  # characters of each name in the CHAT_ACTION, as Owncast
PROVIDER_NAMES = {FEDIVERSE: "Fediverse", INDIEAUTH: "IndieAuth"}


@dataclass(frozen=True)
class Requester:
    """The chat user asking to log in: their id, name at the time and access token."""

    user_id: str
    display_name: str
    token: str


@dataclass(frozen=True)
class Owner:
    """The user an identity is linked to."""

    user_id: str
    display_name: str


class IdentityRepository(Protocol):
    """The `auth` table and the token re-pointing (implemented in `owncastd.store.identity`)."""

    async def owner_of(self, identity: str, kind: str) -> Owner | None:
        """The user linked to `identity` of `kind`, if any."""

    async def point_token(self, token: str, user_id: str) -> None:
        """Make the access token belong to `user_id`."""

    async def attach(self, user_id: str, identity: str, kind: str, at: datetime) -> None:
        """Add the `auth` row and set the user's `authenticated_at`."""


class IdentityLinker:
    """Applies the re-point-or-attach rule; `announce` sends an ephemeral CHAT_ACTION."""

    def __init__(
        self,
        repo: IdentityRepository,
        announce: Callable[[str], object],
        clock: Callable[[], datetime],
    ) -> None:
        self._repo, self._announce, self._clock = repo, announce, clock

    async def link(self, who: Requester, identity: str, kind: str) -> None:
        """Link `identity` (``user@host`` or an IndieAuth `me`) to `who` as the rule says."""
        owner = await self._repo.owner_of(identity, kind)
        if owner is None:
            await self._repo.attach(who.user_id, identity, kind, self._clock())
            log.info("chat identity attached user=%s kind=%s", who.user_id, kind)
            return
        await self._repo.point_token(who.token, owner.user_id)
        log.info("chat token re-pointed from=%s to=%s kind=%s", who.user_id, owner.user_id, kind)
        if who.display_name != owner.display_name:
            self._announce(
                f"**{_cut(who.display_name)}** is now authenticated as "
                f"**{_cut(owner.display_name)}**"
            )


def _cut(name: str) -> str:
    return escape_markdown(name[:NAME_CUT])

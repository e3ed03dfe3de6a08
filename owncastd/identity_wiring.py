"""Building the chat identity services (develop §2) for the composition root: kept apart from
`wiring.py` so the branches that grow it merge cleanly. Part of the composition root (it
constructs services from the store, federation and core)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.room import ChatRoom
from owncastd.core.federation.ports import DirectMessenger, FederationError
from owncastd.core.identity.fediverse_otp import FediverseOtp
from owncastd.core.identity.indieauth_client import IndieAuthClient
from owncastd.core.identity.linking import IdentityLinker
from owncastd.core.identity.provider import IndieAuthProvider
from owncastd.core.identity.services import IdentityServices
from owncastd.federation.indieauth_http import IndieAuthHttp
from owncastd.store.database import Store
from owncastd.store.identity import IdentityStore


class NoMessenger:
    """A DirectMessenger for a daemon without outbound federation: every send fails."""

    async def send_direct(self, account: str, text: str) -> None:
        raise FederationError("federation is not set up on this server")


def allow_private(settings: SettingsRef) -> Callable[[], bool]:
    """`[federation] allow_private_addresses` of the moment (False while the key is missing)."""
    return lambda: bool(getattr(settings.current.federation, "allow_private_addresses", False))


def build_identity(
    store: Store,
    room: ChatRoom,
    settings: SettingsRef,
    clock: Callable[[], datetime],
    *,
    version: str,
    messenger: DirectMessenger | None = None,
    private: Callable[[], bool] | None = None,
) -> IdentityServices:
    """The login services over the store; the CHAT_ACTION of a re-pointed login goes to
    `room`; codes go out through `messenger`; `private` (default: the setting) lets IndieAuth
    fetch http and loopback/private pages."""
    linker = IdentityLinker(IdentityStore(store), room.broadcast_action, clock)
    private = private or allow_private(settings)
    return IdentityServices(
        fediverse=FediverseOtp(
            messenger or NoMessenger(), linker, lambda: settings.current.server.name
        ),
        indieauth=IndieAuthClient(
            IndieAuthHttp(user_agent=f"owncastd/{version} (indieauth)", allow_private=private),
            linker,
            lambda: settings.current.server.url,
            allow_http=private,
        ),
        provider=IndieAuthProvider(),
    )

"""The federation services the routes use, as the composition root hands them over (no web
framework imported here: the daemon builds them before the web app is loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from owncastd.core.federation.actor_updates import ActorUpdates
from owncastd.core.federation.inbound import InboundVerifier, PublicKeySource
from owncastd.core.federation.inbox import Inbox
from owncastd.core.federation.ports import DirectMessenger

if TYPE_CHECKING:
    from owncastd.federation.delivery import DeliveryQueue
    from owncastd.store.federation import FederationStore


@dataclass(frozen=True)
class FederationWeb:
    """The follower store, the inbox, the inbound signature check and the server key."""

    store: FederationStore
    inbox: Inbox
    verifier: InboundVerifier
    keys: PublicKeySource
    deliveries: DeliveryQueue | None = None  # the persistent delivery queue (run it)
    updates: ActorUpdates | None = None  # actor Updates on profile changes (run it)
    direct: DirectMessenger | None = None  # DMs from the server's actor (the Fediverse OTP)

"""Building ActivityPub federation (issue 11) for the composition root: the key and signed
client, the inbox's signature check and handlers, the persistent delivery queue, actor Updates,
direct messages and the go-live Note. Kept apart from `wiring.py` (composition root, like it)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trio

from owncastd import release_string
from owncastd.config.settings import SettingsRef
from owncastd.core.chat.fediverse import engagement_publisher
from owncastd.core.chat.room import ChatRoom
from owncastd.core.federation.actor_updates import ActorUpdates
from owncastd.core.federation.inbox import Inbox
from owncastd.core.federation.notes import FediverseGoLive
from owncastd.core.stream import Stream
from owncastd.core.webhooks import FEDIVERSE_ENGAGEMENT_FOLLOW
from owncastd.federation.delivery import DeliveryQueue
from owncastd.federation.delivery.runtime import RuntimePoster
from owncastd.federation.direct_messages import DirectMessages
from owncastd.federation.inbound import ActorCache, SignatureCheck
from owncastd.federation.runtime import FederationRuntime
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.federation.services import FederationWeb
from owncastd.store.database import Store
from owncastd.store.federation import FederationStore
from owncastd.store.federation_deliveries import DeliveryStore


def _stream_image(tmp_dir: Path | None) -> Callable[[], Awaitable[str | None]]:
    """Which image the go-live Note attaches: preview.gif, else thumbnail.jpg, if present."""

    async def image() -> str | None:
        if tmp_dir is None:
            return None
        for name in ("preview.gif", "thumbnail.jpg"):
            if await trio.Path(tmp_dir / name).exists():
                return name
        return None

    return image


def build_federation(
    store: Store,
    settings: SettingsRef,
    control: ControlPlane,
    room: ChatRoom,
    stream: Stream,
    tmp_dir: Path | None = None,
) -> FederationWeb:
    """ActivityPub (issue 11): the key and signed client, the inbox's signature check and
    handlers (engagement to chat, follows to webhooks), the delivery queue and the go-live
    Note. Run `.inbox.run`, `.deliveries.run`
    and `.updates.run`."""
    runtime = FederationRuntime(
        control.datastore,
        lambda: settings.current,
        user_agent=f"{release_string()}; https://owncast.online",
    )
    repo = FederationStore(store)
    queue = DeliveryQueue(
        DeliveryStore(store),
        RuntimePoster(runtime),
        allow_private=lambda: settings.current.federation.allow_private_addresses,
    )
    updates = ActorUpdates(lambda: settings.current, repo, queue)
    control.editor.subscribe(lambda change: updates.on_settings_changed(change.keys))
    if control.go_live is not None:
        now = lambda: datetime.now(UTC)  # noqa: E731
        control.go_live.add(
            FediverseGoLive(lambda: settings.current, repo, queue, now, _stream_image(tmp_dir))
        )
    actors = ActorCache(runtime.http, time.time)
    verifier = SignatureCheck(
        actors,
        time.time,
        blocked_domains=lambda: settings.current.federation.blocked_domains,
        is_blocked=repo.is_blocked,
        allow_http=lambda: settings.current.federation.allow_private_addresses,
    )
    inbox = Inbox(
        repo, actors, queue, lambda: settings.current, time.time,
        live=lambda: stream.online,
    )  # fmt: skip
    inbox.chat = engagement_publisher(room)  # broadcast, and kept in chat history

    def follow_webhook(data: dict[str, Any]) -> None:
        control.webhooks.publish(FEDIVERSE_ENGAGEMENT_FOLLOW, lambda: data)

    inbox.follow_webhook = follow_webhook
    direct = DirectMessages(runtime, lambda: settings.current, queue)
    return FederationWeb(
        repo, inbox, verifier, runtime, deliveries=queue, updates=updates, direct=direct
    )

"""Actor ``Update`` to followers when the profile changes (develop §1.7): the name, summary,
logo, tags, social handles and the private flag. Changes close together go out as one Update."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import trio

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.core.federation.notes import AS_CONTEXT, Outbox
from owncastd.core.federation.ports import ActivitySender, FederationError

log = logging.getLogger(__name__)

PROFILE_KEYS = frozenset(
    {
        "server.name",
        "server.summary",
        "server.logo",
        "server.tags",
        "server.social_handles",
        "federation.private",
    }
)


def actor_update(settings: Settings) -> dict[str, Any]:
    """The Update Owncast sends: the actor as a Person stub, the object its IRI, cc Public
    unless private."""
    server_url = settings.server.url
    actor = iris.actor_iri(server_url, settings.federation.username)
    update: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": iris.object_iri(server_url, iris.new_short_id()),
        "type": "Update",
        "actor": {"type": "Person", "id": actor},
        "object": actor,
    }
    if not settings.federation.private:
        update["cc"] = iris.PUBLIC
    return update


class ActorUpdates:
    """Listens to settings changes; `run` sends the Update to every follower inbox."""

    def __init__(
        self, settings: Callable[[], Settings], outbox: Outbox, sender: ActivitySender
    ) -> None:
        self._settings, self._outbox, self._sender = settings, outbox, sender
        self._wanted = trio.Event()
        self.sent = 0

    def on_settings_changed(self, keys: frozenset[str]) -> None:
        """A settings change (its dotted keys): an Update is due when a profile key changed."""
        if keys & PROFILE_KEYS:
            self._wanted.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Send the due Updates until cancelled."""
        task_status.started()
        while True:
            await self._wanted.wait()
            self._wanted = trio.Event()
            settings = self._settings()
            if not settings.federation.enabled or not settings.server.url:
                continue
            try:
                update = actor_update(settings)
                await self._sender.send(update, await self._outbox.delivery_inboxes())
            except (FederationError, ValueError) as exc:
                log.warning("federation actor update not sent: %s", exc)
                continue
            self.sent += 1

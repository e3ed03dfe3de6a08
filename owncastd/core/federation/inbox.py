"""The inbox's handlers (develop §1.6), run once the sender is verified: Follow (approved now,
or pending in private mode), Undo of a Follow, Like/Announce of our posts (once per actor),
Update of a follower's profile; Create and unknown types are logged and ignored."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import trio

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.core.federation.engagement import (
    accept,
    engagement_event,
    follow_webhook_data,
    profile_of,
)
from owncastd.core.federation.inbound import ActorFetcher, SignedSender
from owncastd.core.federation.models import (
    FOLLOW,
    LIKE,
    REPOST,
    FederationRepository,
    Follower,
    RemoteProfile,
)
from owncastd.core.federation.ports import ActivitySender, FederationError

log = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], None]


def _iri(value: Any) -> str:
    """An IRI given as a string or an object with an ``id``."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _actor(activity: Mapping[str, Any]) -> str:
    actor = activity.get("actor")
    if isinstance(actor, list):
        actor = actor[0] if actor else None
    return _iri(actor)


class Inbox:
    """Applies verified inbound activities to the stored state, chat and webhooks."""

    def __init__(
        self,
        repo: FederationRepository,
        actors: ActorFetcher,
        sender: ActivitySender,
        settings: Callable[[], Settings],
        clock: Callable[[], float],
        *,
        live: Callable[[], bool] = lambda: False,
        new_id: Callable[[], str] = iris.new_short_id,
    ) -> None:
        self.repo, self.actors, self.sender = repo, actors, sender
        self._settings, self._clock, self._live, self._new_id = settings, clock, live, new_id
        self.chat: Publish | None = None  # chat engagement events (set when chat runs)
        self.follow_webhook: Publish | None = None  # the follow webhook's event data
        self._nursery: trio.Nursery | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Host the deliveries (Accepts) started by requests, until cancelled."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await trio.sleep_forever()

    async def handle(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        """Apply one verified activity; unknown or irrelevant ones are logged and ignored."""
        kind = activity.get("type")
        handler = {
            "Follow": self._follow,
            "Undo": self._undo,
            "Like": self._engage,
            "Announce": self._engage,
            "Update": self._update,
            "Create": self._create,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            log.info("federation inbox ignored type=%.40s actor=%s", kind, _actor(activity)[:200])
            return
        await handler(activity, sender)

    def now(self) -> float:
        """The inbox clock (Unix seconds)."""
        return self._clock()

    def our_actor(self) -> str:
        """Our actor IRI under the current settings."""
        current = self._settings()
        return iris.actor_iri(current.server.url, current.federation.username)

    async def _profile(self, iri: str, sender: SignedSender) -> RemoteProfile:
        document: Mapping[str, Any] = sender.document if iri == sender.actor else {}
        if not document:
            try:
                document = await self.actors.actor(iri)
            except FederationError as exc:
                log.info("federation actor not fetched: %s", exc)
                document = {}
        return profile_of(document, iri)

    async def _follow(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        actor = _actor(activity)
        if _iri(activity.get("object")) != self.our_actor():
            log.info("federation follow of another object ignored actor=%s", actor[:200])
            return
        profile = await self._profile(actor, sender)
        if not profile.inbox:
            log.info("federation follow without an inbox ignored actor=%s", actor[:200])
            return
        now = self._clock()
        private = self._settings().federation.private
        request = json.dumps(activity, separators=(",", ":"))
        follower = await self.repo.add_follower(
            profile, request, _iri(activity), approved=not private, now=now
        )
        new = await self.repo.add_activity_if_new(self.our_actor(), profile.iri, FOLLOW, now)
        if follower.approved_at is None:
            log.info("federation follow request pending actor=%s", actor[:200])
            return
        self.send_accept(follower, activity)
        if new:
            self._engagement(FOLLOW, profile, live_post=False)

    def send_accept(self, follower: Follower, follow: Mapping[str, Any]) -> None:
        """Deliver the Accept of `follow` to the follower's own inbox and fire the follow
        webhook (in the background)."""
        settings = self._settings()
        activity = accept(settings, follow, live=self._live(), short_id=self._new_id())
        self._spawn(self.sender.send, activity, [follower.profile.inbox])
        if self.follow_webhook is not None:
            at = datetime.fromtimestamp(self._clock(), UTC)
            self.follow_webhook(
                follow_webhook_data(follower.profile, event_id=self._new_id(), at=at)
            )

    async def approve(self, iri: str) -> bool:
        """The admin approves a pending follower: Accept + webhook when it was not approved
        before. False when `iri` is not a follower."""
        before = await self.repo.follower(iri)
        if before is None:
            return False
        approved = await self.repo.approve(iri, self._clock())
        if approved is not None and approved.approved_at is None:
            try:
                follow = json.loads(before.request) if before.request else {}
            except ValueError:
                follow = {}
            self.send_accept(before, follow if isinstance(follow, dict) else {})
        return True

    async def _undo(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        inner = activity.get("object")
        is_follow = isinstance(inner, dict) and inner.get("type") == "Follow"
        if is_follow and await self.repo.remove_follower(_actor(activity)):
            log.info("federation unfollow actor=%s", _actor(activity)[:200])
        # An Undo of a Like/Announce keeps the engagement (as Owncast does).

    async def _engage(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        kind = LIKE if activity.get("type") == "Like" else REPOST
        target, actor = _iri(activity.get("object")), _actor(activity)
        found = await self.repo.outbox_object(target) if target else None
        if found is None:
            log.info("federation %s of an unknown object ignored", activity.get("type"))
            return
        _, live_post, _ = found
        if await self.repo.add_activity_if_new(target, actor, kind, self._clock()):
            self._engagement(kind, await self._profile(actor, sender), live_post=live_post)

    async def _update(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        inner = activity.get("object")
        if not isinstance(inner, dict) or inner.get("type") != "Person":
            return
        profile = profile_of(inner, _actor(activity))
        if profile.iri != _actor(activity) or not profile.inbox:
            return  # only an actor's own profile, with somewhere to deliver
        await self.repo.update_profile(profile)

    async def _create(self, activity: Mapping[str, Any], sender: SignedSender) -> None:
        log.info("federation Create ignored (replies and mentions are not shown in chat)")

    def _engagement(self, kind: str, profile: RemoteProfile, *, live_post: bool) -> None:
        settings = self._settings()
        if self.chat is None or not settings.federation.show_engagement or settings.chat.disabled:
            return
        event = engagement_event(
            kind,
            profile,
            event_id=self._new_id(),
            at=datetime.fromtimestamp(self._clock(), UTC),
            live_post=live_post,
            server_name=settings.server.name,
        )
        self.chat(event)

    def _spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._nursery is None:
            log.warning("federation delivery dropped: the inbox is not running")
            return
        self._nursery.start_soon(fn, *args)

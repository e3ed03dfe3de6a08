"""Federation records (followers, accepted activities) and the repository core reads them from
(`owncastd.store.federation.FederationStore` implements it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

FOLLOW = "FEDIVERSE_ENGAGEMENT_FOLLOW"
LIKE = "FEDIVERSE_ENGAGEMENT_LIKE"
REPOST = "FEDIVERSE_ENGAGEMENT_REPOST"


def _rfc3339(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class RemoteProfile:
    """What we keep of a remote actor: where to deliver, and how to show it."""

    iri: str
    inbox: str
    shared_inbox: str = ""
    name: str = ""
    username: str = ""  # user@host
    image: str = ""


@dataclass(frozen=True)
class Follower:
    """A row of ``ap_followers`` (times are Unix seconds)."""

    profile: RemoteProfile
    created_at: float
    approved_at: float | None = None
    disabled_at: float | None = None
    request: str = ""  # the Follow activity, JSON
    request_iri: str = ""

    def to_json(self) -> dict[str, Any]:
        """Owncast's Follower JSON (models/follower.go): ``timestamp``/``disabledAt`` may be
        null."""
        return {
            "link": self.profile.iri,
            "name": self.profile.name,
            "username": self.profile.username,
            "image": self.profile.image,
            "timestamp": _rfc3339(self.created_at),
            "disabledAt": _rfc3339(self.disabled_at),
        }


@dataclass(frozen=True)
class AcceptedActivity:
    """A row of ``ap_accepted_activities``: an inbound follow, like or boost we handled."""

    iri: str  # the object acted on (our actor for a follow, our post for a like/boost)
    actor: str
    type: str
    timestamp: float

    def to_json(self) -> dict[str, Any]:
        """The admin actions JSON ``{iri, actorIRI, type, timestamp}``."""
        return {
            "iri": self.iri,
            "actorIRI": self.actor,
            "type": self.type,
            "timestamp": _rfc3339(self.timestamp),
        }


class FederationRepository(Protocol):
    """The stored federation state the inbox reads and changes."""

    async def add_follower(
        self, profile: RemoteProfile, request: str, request_iri: str, *, approved: bool, now: float
    ) -> Follower: ...

    async def follower(self, iri: str) -> Follower | None: ...

    async def approve(self, iri: str, now: float) -> Follower | None: ...

    async def remove_follower(self, iri: str) -> bool: ...

    async def update_profile(self, profile: RemoteProfile) -> bool: ...

    async def is_blocked(self, iri: str) -> bool: ...

    async def add_activity_if_new(self, iri: str, actor: str, kind: str, now: float) -> bool: ...

    async def outbox_object(self, iri: str) -> tuple[dict[str, Any], bool, float] | None: ...

"""Shapes the inbox produces (develop §1.6): a remote actor's profile, the Accept of a Follow
with Owncast's metadata keys, the chat engagement event and the follow webhook's data."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from owncastd.config.settings import Settings
from owncastd.core.chat.models import rfc3339
from owncastd.core.federation import iris
from owncastd.core.federation.models import FOLLOW, LIKE, RemoteProfile

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
OWNCAST_NS = "https://owncast.online/ns#"
_TAG = re.compile(r"<[^>]*>")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _url_of(value: Any) -> str:
    """A URL from a string, an ``{url}`` object or the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("href")
        return _url_of(value)
    return _text(value)


def profile_of(document: Mapping[str, Any], iri: str) -> RemoteProfile:
    """What we keep of a remote actor from its document (`iri` when it has no id)."""
    actor = _text(document.get("id")) or iri
    endpoints = document.get("endpoints")
    shared = _text(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else ""
    return RemoteProfile(
        iri=actor,
        inbox=_text(document.get("inbox")),
        shared_inbox=shared,
        name=_text(document.get("name")),
        username=iris.remote_account(_text(document.get("preferredUsername")), actor),
        image=_url_of(document.get("icon")),
    )


def display_name(profile: RemoteProfile) -> str:
    """The actor's name with all HTML stripped, else its account name."""
    name = html.unescape(_TAG.sub("", profile.name)).strip()
    return name or profile.username.partition("@")[0] or profile.iri


def accept(
    settings: Settings, follow: Mapping[str, Any], *, live: bool, short_id: str
) -> dict[str, Any]:
    """The Accept of `follow` (embedded in full) with Owncast's metadata keys."""
    server = settings.server
    base = iris.canonical_server(server.url)
    actor = iris.actor_iri(server.url, settings.federation.username)
    activity: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": iris.object_iri(server.url, short_id),
        "type": "Accept",
        "actor": actor,
        "object": dict(follow),
        f"{OWNCAST_NS}serverName": server.name,
        f"{OWNCAST_NS}streamDescription": server.summary,
        f"{OWNCAST_NS}streamStatus": "live" if live else "offline",
        f"{OWNCAST_NS}logoUrl": f"{base}/logo/external",
        f"{OWNCAST_NS}streamTags": list(server.tags),
    }
    if live:
        activity[f"{OWNCAST_NS}thumbnailUrl"] = f"{base}/thumbnail.jpg"
    if server.stream_title:
        activity[f"{OWNCAST_NS}streamTitle"] = server.stream_title
    return activity


def engagement_text(kind: str, *, live_post: bool, server_name: str) -> str:
    """The words after the actor's name (plain text, develop §1.6)."""
    if kind == FOLLOW:
        return "followed this stream."
    if kind == LIKE:
        return (
            "liked that this stream went live."
            if live_post
            else (f"liked a post from {server_name}.")
        )
    if live_post:
        return "shared this stream with their followers."
    return f"shared a post from {server_name}."


def engagement_event(
    kind: str,
    profile: RemoteProfile,
    *,
    event_id: str,
    at: datetime,
    live_post: bool,
    server_name: str,
) -> dict[str, Any]:
    """The chat event ``FEDIVERSE_ENGAGEMENT_FOLLOW|LIKE|REPOST``."""
    text = engagement_text(kind, live_post=live_post, server_name=server_name)
    return {
        "type": kind,
        "id": event_id,
        "timestamp": rfc3339(at),
        "body": f"{display_name(profile)}  {text}",
        "image": profile.image or None,
        "title": profile.username,
        "link": profile.iri,
        "user": {"displayName": server_name},
    }


def follow_webhook_data(profile: RemoteProfile, *, event_id: str, at: datetime) -> dict[str, Any]:
    """The ``FEDIVERSE_ENGAGEMENT_FOLLOW`` webhook's event data."""
    return {
        "id": event_id,
        "timestamp": rfc3339(at),
        "name": display_name(profile),
        "username": profile.username,
        "image": profile.image,
        "link": profile.iri,
    }

"""The documents federation serves (develop §1.2–1.3): the actor, webfinger, host-meta,
nodeinfo (2.0 and x-nodeinfo2) and the Mastodon instance summary. Pure functions of the
settings (and the public key / post count they are given)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any

from owncastd import release_string
from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.http.public.social import PLATFORM_NAMES

CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "PropertyValue": "schema:PropertyValue",
        "schema": "http://schema.org#",
        "value": "schema:value",
        "Hashtag": "as:Hashtag",
    },
]
_LOGO_TYPES = {".svg": "image/svg+xml", ".gif": "image/gif", ".png": "image/png"}


def _link(url: str) -> str:
    return f'<a href="{url}" rel="me nofollow noopener noreferrer" target="_blank">{url}</a>'


def _attachments(settings: Settings) -> list[dict[str, str]]:
    server = settings.server
    items = []
    if server.url:
        items.append({"type": "PropertyValue", "name": "Stream", "value": _link(server.url)})
    for handle in server.social_handles:
        name = PLATFORM_NAMES.get(handle.platform.lower(), handle.platform)
        items.append({"type": "PropertyValue", "name": name, "value": _link(handle.url)})
    if len(server.social_handles) == 1:
        link = _link("https://owncast.online")
        items.append({"type": "PropertyValue", "name": "Owncast", "value": link})
    return items


def actor_document(settings: Settings, public_pem: str) -> dict[str, Any]:
    """The server's ``Service`` actor; one-valued properties are scalars (go-fed's way)."""
    server, federation = settings.server, settings.federation
    base = iris.canonical_server(server.url)
    actor = iris.actor_iri(server.url, federation.username)
    uniqueness = hashlib.sha256(server.logo.encode()).hexdigest()[:8]
    image = {"type": "Image", "url": f"{base}/logo/external?uc={uniqueness}"}
    tags = [
        {"type": "Hashtag", "name": f"#{tag}", "href": f"https://owncast.directory/tags/{tag}"}
        for tag in server.tags
    ]
    attachments = _attachments(settings)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": actor,
        "type": "Service",
        "url": actor,
        "preferredUsername": iris.username_or_default(federation.username),
        "name": server.name,
        "summary": server.summary,
        "inbox": f"{actor}/inbox",
        "outbox": f"{actor}/outbox",
        "followers": iris.followers_iri(actor),
        "publicKey": {"id": iris.key_id(actor), "owner": actor, "publicKeyPem": public_pem},
        "manuallyApprovesFollowers": federation.private,
        "discoverable": True,
        "icon": image,
        "image": image,
    }
    if tags:
        document["tag"] = tags[0] if len(tags) == 1 else tags
    if attachments:
        document["attachment"] = attachments[0] if len(attachments) == 1 else attachments
    return document


def logo_type(logo: str) -> str:
    """The logo's MIME type from its extension (``image/png`` without a logo)."""
    if not logo:
        return "image/png"
    return _LOGO_TYPES.get(PurePath(logo).suffix.lower(), "image/jpeg")


def webfinger(settings: Settings, user: str, host: str) -> dict[str, Any]:
    """The JRD for ``acct:<user>@<host>``."""
    base = iris.canonical_server(settings.server.url)
    actor = iris.actor_iri(settings.server.url, settings.federation.username)
    return {
        "aliases": [actor],
        "subject": f"acct:{user}@{host}",
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor},
            {
                "rel": "http://webfinger.net/rel/avatar",
                "type": logo_type(settings.server.logo),
                "href": f"{base}/logo/external",
            },
            {
                "rel": "alternate",
                "type": "application/x-mpegURL",
                "href": f"{base}/hls/stream.m3u8",
            },
        ],
    }


def host_meta(settings: Settings) -> str:
    """The XRD pointing at webfinger."""
    base = iris.canonical_server(settings.server.url)
    template = f"{base}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/json" template="{template}"/>\n'
        "</XRD>\n"
    )


def nodeinfo_links(settings: Settings) -> dict[str, Any]:
    """``/.well-known/nodeinfo``."""
    base = iris.canonical_server(settings.server.url)
    return {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": f"{base}/nodeinfo/2.0",
            }
        ]
    }


def nodeinfo(settings: Settings, version: str, posts: int) -> dict[str, Any]:
    """``/nodeinfo/2.0``."""
    return {
        "version": "2.0",
        "services": {"outbound": [], "inbound": []},
        "software": {"name": "owncast", "version": version},
        "protocols": ["activitypub"],
        "usage": {
            "users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1},
            "localPosts": posts,
        },
        "openRegistrations": False,
        "metadata": {"chat_enabled": not settings.chat.disabled},
    }


def x_nodeinfo2(settings: Settings, version: str, posts: int) -> dict[str, Any]:
    """``/.well-known/x-nodeinfo2`` (needs a server URL)."""
    server = settings.server
    return {
        "server": {
            "baseUrl": server.url,
            "version": version,
            "name": "owncast",
            "software": "owncast",
        },
        "organization": {"name": server.name, "contact": server.url},
        "version": version,
        "services": {"outbound": ["activitypub"], "inbound": ["activitypub"]},
        "protocols": ["activitypub"],
        "usage": {
            "users": {"activeWeek": 1, "total": 1, "activeMonth": 1, "activeHalfyear": 1},
            "localPosts": posts,
            "localComments": 0,
        },
        "openRegistrations": False,
    }


def instance(settings: Settings, version: str, posts: int) -> dict[str, Any]:
    """``/api/v1/instance`` (needs a server URL)."""
    server = settings.server
    return {
        "uri": server.url,
        "title": server.name,
        "short_description": server.summary,
        "description": server.summary,
        "version": release_string(version),
        "thumbnail": f"{server.url}/logo/external",
        "languages": None,
        "stats": {"user_count": 1, "status_count": posts, "domain_count": 0},
        "registrations": False,
        "approval_required": False,
        "invites_enabled": False,
    }

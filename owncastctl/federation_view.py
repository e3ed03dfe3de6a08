"""How owncastctl reads fediverse followers and activity (the `followers` and `federation`
commands and the TUI's panel): Owncast's Follower objects `{link, name, username, image,
timestamp, disabledAt}` and accepted activities `{iri, actorIRI, type, timestamp}`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from owncastctl import api
from owncastctl.api import Call
from owncastctl.output import when

RECENT = 5  # activities shown by the TUI
PAGE = 100  # followers fetched per request when every follower is needed
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_PAGES = 1000
# The `type` of an accepted activity, as a word (Owncast stores the chat event type).
KINDS = {
    "FEDIVERSE_ENGAGEMENT_FOLLOW": "follow",
    "FEDIVERSE_ENGAGEMENT_LIKE": "like",
    "FEDIVERSE_ENGAGEMENT_REPOST": "boost",
    "FEDIVERSE_ENGAGEMENT_QUOTE": "quote",
    "FEDIVERSE_REPLY": "reply",
    "FEDIVERSE_MENTION": "mention",
}


def entries(payload: Any) -> list[dict[str, Any]]:
    """The objects of `{total, results}` or of a bare list (malformed entries left out)."""
    items = payload.get("results") if isinstance(payload, dict) else payload
    return [i for i in items or [] if isinstance(i, dict)] if isinstance(items, list) else []


def total(payload: Any) -> int:
    """`total` of a paged answer, else the number of entries."""
    if isinstance(payload, dict) and isinstance(payload.get("total"), int):
        return int(payload["total"])
    return len(entries(payload))


def account(follower: dict[str, Any]) -> str:
    """`user@host`, or the actor IRI when the server did not give an account."""
    return str(follower.get("username") or follower.get("link") or "?")


def all_followers(send: Callable[[Call], Any]) -> list[dict[str, Any]]:
    """Every approved follower, page by page (`send` is a client's send)."""
    found: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        payload = send(api.followers(offset=page * PAGE, limit=PAGE))
        batch = entries(payload)
        found += batch
        if len(batch) < PAGE or len(found) >= total(payload):
            break
    return found


def matches(followers: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The followers `query` names: an actor IRI exactly, `user@host` (case-insensitive, an
    optional leading `@`), or a bare `user` when no host is given. One entry per actor."""
    text = query.strip()
    if text.startswith(("http://", "https://")):
        found = [f for f in followers if f.get("link") == text]
    else:
        wanted = text.lstrip("@").lower()
        names = [(str(f.get("username") or "").lstrip("@").lower(), f) for f in followers]
        if "@" in wanted:
            found = [f for name, f in names if name == wanted]
        else:
            found = [f for name, f in names if name.split("@")[0] == wanted]
    unique: dict[str, dict[str, Any]] = {}
    for follower in found:
        unique.setdefault(str(follower.get("link")), follower)
    return list(unique.values())


def kind(activity: dict[str, Any]) -> str:
    """`follow`, `like`, `boost`… (the raw type when unknown)."""
    raw = str(activity.get("type") or "?")
    return KINDS.get(raw, raw.lower())


def activity_line(activity: dict[str, Any]) -> str:
    """`2026-03-01 18:00  like  https://mastodon.example/users/alice`."""
    return f"{when(activity.get('timestamp'))}  {kind(activity)}  {activity.get('actorIRI', '')}"


def federation_info(config: Any) -> dict[str, Any]:
    """`/api/config`'s `federation` (`{"enabled": False}` when absent or malformed)."""
    info = config.get("federation") if isinstance(config, dict) else None
    return info if isinstance(info, dict) else {"enabled": False}


def short_actor(iri: Any, known: Sequence[dict[str, Any]] = ()) -> str:
    """An actor IRI as `user@host`: the account of a known follower with that IRI, else the
    IRI's last path segment at its host (Mastodon's `/users/<name>`), else the IRI."""
    text = str(iri or "")
    for follower in known:
        if follower.get("link") == text and follower.get("username"):
            return str(follower["username"])
    parts = urlsplit(text)
    name = parts.path.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return text
    if host and port is not None and port != DEFAULT_PORTS.get(parts.scheme):
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return f"{name}@{host}" if name and host else text


async def snapshot(send: Callable[[Call], Awaitable[Any]]) -> dict[str, Any]:
    """What the TUI shows: `{"enabled": False}` when `/api/config` says federation is off, else
    `{"enabled", "account", "followers" (count), "pending": [Follower], "actions": [activity]}`.
    """
    info = federation_info(await send(api.web_config()))
    if not info.get("enabled"):
        return {"enabled": False}
    counted, pending, actions = await asyncio.gather(
        send(api.followers(limit=1)),
        send(api.pending_followers()),
        send(api.federation_actions(limit=RECENT)),
    )
    return {
        "enabled": True,
        "account": str(info.get("account") or ""),
        "followers": total(counted),
        "pending": entries(pending),
        "actions": entries(actions),
    }

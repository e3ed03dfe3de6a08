"""The follower routes owncastctl uses (`/api/admin/followers…`, issue 11) and how it shows
followers (the `followers` commands and the TUI's panel)."""

from __future__ import annotations

from typing import Any

from owncastctl.api import Call


def followers(limit: int = 50) -> Call:
    """`{total, results: [Follower]}`: approved followers, newest first."""
    params = {"offset": "0", "limit": str(limit)}
    return Call("GET", "/api/admin/followers", params=params, what="reading the followers")


def pending() -> Call:
    """`[Follower]` waiting for approval (private mode)."""
    return Call("GET", "/api/admin/followers/pending", what="reading the follow requests")


def blocked() -> Call:
    """`[Follower]` rejected or blocked."""
    return Call("GET", "/api/admin/followers/blocked", what="reading the blocked followers")


def actions(limit: int = 20) -> Call:
    """`{total, results: [{iri, actorIRI, type, timestamp}]}`: recent follows, likes, boosts."""
    params = {"offset": "0", "limit": str(limit)}
    return Call("GET", "/api/admin/federation/actions", params=params, what="reading the actions")


def approve(actor: str, approved: bool) -> Call:
    """Approve (an Accept is sent) or reject/block a follower."""
    body = {"actorIRI": actor, "approved": approved}
    what = "approving the follower" if approved else "blocking the follower"
    return Call("POST", "/api/admin/followers/approve", body, what=what)


def rows(payload: Any) -> list[dict[str, Any]]:
    """The Follower objects of a listing (`{results}` or a bare list), malformed ones left out."""
    items = payload.get("results") if isinstance(payload, dict) else payload
    return (
        [item for item in items or [] if isinstance(item, dict)] if isinstance(items, list) else []
    )


ACTION_WORDS = {
    "FEDIVERSE_ENGAGEMENT_FOLLOW": "followed",
    "FEDIVERSE_ENGAGEMENT_LIKE": "liked",
    "FEDIVERSE_ENGAGEMENT_REPOST": "boosted",
}


def action_line(action: dict[str, Any]) -> str:
    """`alice@host liked https://…/federation/abc`."""
    verb = ACTION_WORDS.get(str(action.get("type")), str(action.get("type")))
    return f"{action.get('actorIRI', '?')} {verb} {action.get('iri', '')}".strip()

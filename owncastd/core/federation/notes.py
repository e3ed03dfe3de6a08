"""Outbound Notes (develop §1.8): the go-live post, as a Create wrapping a Note, and the
"fediverse" go-live channel that stores the Note in the outbox and delivers the Create to every
approved follower through the ActivitySender (the persistent queue)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.core.federation.ports import ActivitySender
from owncastd.core.markdown import render_page_markdown

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
TAG_BASE = "https://owncast.directory/tags/"


class Outbox(Protocol):
    """Where published Notes are kept and who gets them
    (:class:`owncastd.store.federation.FederationStore`)."""

    async def add_outbox(
        self, iri: str, value: dict[str, Any], kind: str, now: float, *, live: bool = False
    ) -> None: ...

    async def delivery_inboxes(self) -> list[str]: ...


def strip_tag(tag: str) -> str:
    """A server tag with every character but ASCII letters and digits removed."""
    return re.sub(r"[^A-Za-z0-9]", "", tag)


def hashtag_link(tag: str) -> str:
    """The HTML link Owncast writes for a hashtag."""
    return f'<a class="hashtag" href="{TAG_BASE}{tag}">#{tag}</a>'


def go_live_content(settings: Settings) -> str:
    """The go-live Note's HTML: message, title (if set), tag links and the server link; the
    message and title are inserted raw, as Owncast does."""
    server = settings.server
    tags = [t for t in (strip_tag(tag) for tag in server.tags) if t]
    parts = [f"<p>{settings.federation.go_live_message}</p>"]
    if server.stream_title:
        parts.append(f"<p>{server.stream_title}</p>")
    parts.append(f"<p>{' '.join(hashtag_link(t) for t in tags)}</p>")
    parts.append(f'<p><a href="{server.url}">{server.url}</a></p>')
    return "".join(parts)


def _hashtags(tags: Sequence[str]) -> list[dict[str, str]]:
    """One Hashtag per stripped server tag, then ``#owncast``; a tag equal to an earlier one
    (case-insensitively) is left out, so ``#owncast`` appears once (Owncast's intent; develop's
    check never matches and lists it twice)."""
    seen: dict[str, str] = {}
    for name in [strip_tag(tag) for tag in tags] + ["owncast"]:
        if name:
            seen.setdefault(name.lower(), name)
    names = list(seen.values())
    return [{"type": "Hashtag", "name": f"#{t}", "href": f"{TAG_BASE}{t}"} for t in names]


def _addressing(settings: Settings, actor: str) -> dict[str, Any]:
    followers = iris.followers_iri(actor)
    if settings.federation.private:
        return {"to": followers}
    return {"to": iris.PUBLIC, "cc": followers}


def public_note(
    settings: Settings, content: str, tags: list[dict[str, str]], at: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Create, Note) from the server's actor, addressed as Owncast does (public: to Public,
    cc followers; private: to followers only); single values are scalars."""
    server_url = settings.server.url
    actor = iris.actor_iri(server_url, settings.federation.username)
    address = _addressing(settings, actor)
    published = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    note: dict[str, Any] = {
        "id": iris.object_iri(server_url, iris.new_short_id()),
        "type": "Note",
        "attributedTo": actor,
        "content": content,
        "published": published,
        **address,
        "tag": tags,
    }
    create = {
        "@context": AS_CONTEXT,
        "id": iris.object_iri(server_url, iris.new_short_id()),
        "type": "Create",
        "actor": actor,
        **address,
        "object": note,
    }
    return create, note


IMAGES = {"preview.gif": ("image/gif", "Live stream preview"), "thumbnail.jpg": ("image/jpeg", "")}


def go_live_note(
    settings: Settings, at: datetime, image: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Create, Note) of the go-live post; the Note is `sensitive` on an NSFW server and
    carries `image` (``preview.gif`` or ``thumbnail.jpg``, when there is one) as an Image."""
    create, note = public_note(
        settings, go_live_content(settings), _hashtags(settings.server.tags), at
    )
    if image in IMAGES:
        media_type, name = IMAGES[image]
        attachment = {
            "type": "Image",
            "url": f"{settings.server.url}/{image}?us={iris.new_short_id()}",
            "mediaType": media_type,
        }
        if name:
            attachment["name"] = name
        note["attachment"] = attachment
    if settings.server.nsfw:
        note["sensitive"] = True
    return create, note


HASHTAG = re.compile(r"#([A-Za-z0-9_]+)")


def admin_note(
    settings: Settings, text: str, at: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Create, Note) of an admin post: the markdown rendered, then every ``#tag`` of the
    original text replaced in the HTML by its hashtag link (a plain replace, as Owncast does),
    one Hashtag per tag; no image, no sensitive flag."""
    html = render_page_markdown(text)
    tags = list(dict.fromkeys(HASHTAG.findall(text)))
    for tag in tags:
        html = html.replace(f"#{tag}", hashtag_link(tag))
    hashtags = [{"type": "Hashtag", "name": f"#{t}", "href": f"{TAG_BASE}{t}"} for t in tags]
    return public_note(settings, html, hashtags, at)


class FediversePoster:
    """Publishes Notes from the server's actor: stored in the outbox, delivered to followers."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        outbox: Outbox,
        sender: ActivitySender,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings, self._outbox, self._sender, self._clock = settings, outbox, sender, clock

    async def post(self, text: str) -> None:
        """The admin's post (`POST /api/admin/federation/send`)."""
        at = self._clock()
        create, note = admin_note(self._settings(), text, at)
        await self._outbox.add_outbox(note["id"], note, "Note", at.timestamp())
        await self._sender.send(create, await self._outbox.delivery_inboxes())


class FediverseGoLive:
    """The go-live channel "fediverse": posts the go-live Note to followers when federation is
    on and the go-live message is not empty."""

    name = "fediverse"

    def __init__(
        self,
        settings: Callable[[], Settings],
        outbox: Outbox,
        sender: ActivitySender,
        clock: Callable[[], datetime],
        image: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        self._settings, self._outbox, self._sender, self._clock = settings, outbox, sender, clock
        self._image = image  # which stream image exists now (preview.gif, thumbnail.jpg)

    async def announce(self) -> bool:
        """Store the Note (as the live notification) and queue its Create to every follower
        (False when federation or its go-live message is off)."""
        settings = self._settings()
        if not settings.federation.enabled or not settings.federation.go_live_message:
            return False
        at = self._clock()
        image = await self._image() if self._image is not None else None
        create, note = go_live_note(settings, at, image)
        await self._outbox.add_outbox(note["id"], note, "Note", at.timestamp(), live=True)
        await self._sender.send(create, await self._outbox.delivery_inboxes())
        return True

"""A direct message from the server's actor (develop §1.8, the OTP message): a Create{Note}
with no `to`, the recipient twice in `cc` and two identical Mention tags, as Owncast sends it
(what Mastodon needs to show a direct message). Not stored in the outbox."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from owncastd.config.settings import Settings
from owncastd.core.federation import iris
from owncastd.core.federation.notes import AS_CONTEXT


def parse_account(account: str) -> tuple[str, str]:
    """(user, host) of ``user@host`` (a leading ``@`` and ``acct:`` allowed); ValueError if
    it is not one."""
    text = account.strip().removeprefix("acct:").removeprefix("@")
    user, at, host = text.partition("@")
    if not at or not user or not host or "@" in host or "/" in host or " " in text:
        raise ValueError(f"not a Fediverse account (user@host): {account[:100]}")
    return user, host.lower()


def direct_note(settings: Settings, recipient: str, text: str, at: datetime) -> dict[str, Any]:
    """The Create to deliver to `recipient` (an actor IRI); `text` is escaped into one <p>."""
    server_url = settings.server.url
    actor = iris.actor_iri(server_url, settings.federation.username)
    mention = {"type": "Mention", "href": recipient}
    address = {"cc": [recipient, recipient], "tag": [mention, dict(mention)]}
    published = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    note = {
        "id": iris.object_iri(server_url, iris.new_short_id()),
        "type": "Note",
        "attributedTo": actor,
        "content": f"<p>{html.escape(text)}</p>",
        "published": published,
        **address,
    }
    return {
        "@context": AS_CONTEXT,
        "id": iris.object_iri(server_url, iris.new_short_id()),
        "type": "Create",
        "actor": actor,
        **address,
        "object": note,
    }

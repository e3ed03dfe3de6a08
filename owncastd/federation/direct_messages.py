"""The :class:`~owncastd.core.federation.ports.DirectMessenger`: ``user@host`` resolved by
webfinger (its ``self`` link), the actor fetched (signed GET) for its personal inbox, and the
direct Create delivered through the queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from owncastd.config.settings import Settings
from owncastd.core.federation.direct import direct_note, parse_account
from owncastd.core.federation.ports import ActivitySender, FederationError

if TYPE_CHECKING:
    from owncastd.federation.runtime import FederationRuntime

AP_TYPES = ("application/activity+json", "application/ld+json")


class DirectMessages:
    """DMs from the server's actor."""

    def __init__(
        self, runtime: FederationRuntime, settings: Callable[[], Settings], sender: ActivitySender
    ) -> None:
        self._runtime, self._settings, self._sender = runtime, settings, sender

    async def send_direct(self, account: str, text: str) -> None:
        """Resolve `account` and queue the DM; FederationError says why it could not."""
        try:
            user, host = parse_account(account)
        except ValueError as exc:
            raise FederationError(str(exc)) from None
        actor = await self._resolve(user, host)
        inbox = actor.get("inbox")
        recipient = actor.get("id")
        if not isinstance(inbox, str) or not isinstance(recipient, str):
            raise FederationError(f"{user}@{host} has no inbox")
        await self._sender.send(direct_note(self._settings(), recipient, text, _now()), [inbox])

    async def _resolve(self, user: str, host: str) -> dict[str, Any]:
        http = await self._runtime.http()
        resource = quote(f"acct:{user}@{host}")
        schemes = ("https", "http") if http.allow_private else ("https",)
        problem = ""
        for scheme in schemes:
            try:
                jrd = await http.get_json(
                    f"{scheme}://{host}/.well-known/webfinger?resource={resource}"
                )
                break
            except FederationError as exc:
                problem = str(exc)
        else:
            raise FederationError(f"could not find {user}@{host} ({problem})")
        links = jrd.get("links") if isinstance(jrd, dict) else None
        href = next(
            (
                link.get("href")
                for link in links or []
                if isinstance(link, dict)
                and link.get("rel") == "self"
                and str(link.get("type", "")).startswith(AP_TYPES)
            ),
            None,
        )
        if not isinstance(href, str):
            raise FederationError(f"{user}@{host} has no ActivityPub actor")
        actor = await http.get_json(href)
        if not isinstance(actor, dict):
            raise FederationError(f"{user}@{host}: the actor is not a JSON object")
        return actor


def _now() -> datetime:
    return datetime.now(UTC)

"""Fediverse one-time codes for chat users (develop §2.1).

One pending code per access token, kept 10 minutes, at most 1000 pending. A repeat request
for the same account within the 10 minutes sends nothing; another account replaces the entry.
The 6-digit code goes out as a direct message from the server's actor; a valid code is used
once and links the account with the re-point-or-attach rule (:mod:`.linking`).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from owncastd.core.federation.ports import DirectMessenger, FederationError
from owncastd.core.identity.linking import FEDIVERSE, IdentityLinker, Requester
from owncastd.core.identity.pending import Pending

log = logging.getLogger(__name__)

MAX_PENDING = 1000
CODE_TTL = 10 * 60.0
TOO_MANY = "Could not register auth request: too many pending requests, please try again later"
SEND_FAILED = "Could not send code to fediverse: "


class OtpError(Exception):
    """A request that gets a 400 with this message."""


@dataclass(frozen=True)
class _Registration:
    who: Requester
    account: str
    code: str


def new_code() -> str:
    """Six digits from the system's CSPRNG (each byte mod 10, as Owncast)."""
    return "".join(str(b % 10) for b in secrets.token_bytes(6))


def code_message(server_name: str, code: str) -> str:
    """The direct message's HTML (Owncast's words)."""
    return (
        f"<p>This is an automated message from {escape(server_name)}. If you did not request "
        "this message please ignore or block. Your requested one-time code is:</p>"
        f"<p>{code}</p>"
    )


class FediverseOtp:
    """Sends and checks the codes; `server_name` is read at each send."""

    def __init__(
        self,
        messenger: DirectMessenger,
        linker: IdentityLinker,
        server_name: Callable[[], str],
        *,
        now: Callable[[], float] = time.monotonic,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._messenger, self._linker, self._server_name = messenger, linker, server_name
        self._pending: Pending[str, _Registration] = Pending(max_pending, CODE_TTL, now)

    async def request(self, who: Requester, account: str) -> None:
        """DM a new code to `account` for `who`; OtpError (400) when it cannot."""
        account = account.strip().lower()
        pending = self._pending.get(who.token)
        if pending is not None and pending.account == account:
            return  # already sent within the 10 minutes
        registration = _Registration(who, account, new_code())
        if not self._pending.put(who.token, registration):
            raise OtpError(TOO_MANY)
        try:
            await self._messenger.send_direct(
                account, code_message(self._server_name(), registration.code)
            )
        except FederationError as exc:
            self._pending.pop(who.token)  # a retry may send again at once
            raise OtpError(f"{SEND_FAILED}{exc}") from None
        log.info("fediverse login code sent user=%s", who.user_id)

    async def verify(self, token: str, code: str) -> bool:
        """True when `code` is the live code of `token` (used up then, and linked)."""
        pending = self._pending.get(token)
        if pending is None or not hmac.compare_digest(pending.code.encode(), code.encode()):
            return False
        self._pending.pop(token)
        await self._linker.link(pending.who, pending.account, FEDIVERSE)
        return True

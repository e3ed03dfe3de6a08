"""The inbound gate every client frame passes before it is dispatched (reference §2.5).

Order as in Owncast: size, flood timeout, rate limit, slur filter, established-user mode, then
required authentication (develop §2.5: the user record cached on the connection decides, so a
user who authenticates later must reconnect).
A refused frame either gets a notice for that client alone or is dropped silently. Time is
passed in (monotonic seconds for the limiter, wall clock for account age) so tests use fake
clocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from owncastd.config.settings import ChatSettings
from owncastd.core.budget import TokenBucket
from owncastd.core.chat.models import ChatUser
from owncastd.core.chat.slurs import ProfanityCheck

MAX_PAYLOAD_BYTES = 2048
HARD_LIMIT_BYTES = 2 * MAX_PAYLOAD_BYTES
FLOOD_TIMEOUT_SECONDS = 10.0
RATE_PER_SECOND = 1.5  # Go's rate.Limiter in Owncast (reference §2.5): ~1.5 events/s, burst 1
BURST = 1.0
ESTABLISHED_AFTER = timedelta(minutes=15)

TOO_BIG = "Sorry, that message exceeded the maximum size and can't be delivered."
FLOODING = "You are temporarily blocked from sending chat messages due to perceived flooding."
SLUR = "Sorry, that message contained language that is not allowed in this chat."
NOT_ESTABLISHED = (
    "You have not been an established chat participant long enough to take part in chat. "
    "Please enjoy the stream and try again later."
)

AUTH_REQUIRED = "Authentication is required to participate in chat."


def chat_rate_limit() -> TokenBucket:
    """One client's message budget: a burst of one, then 1.5 a second."""
    return TokenBucket(BURST, RATE_PER_SECOND, now=-math.inf)


@dataclass(frozen=True)
class Refusal:
    """Why a frame was refused; `notice` is sent to the client as a CHAT_ACTION if set."""

    reason: str
    notice: str | None = None


SILENT_TIMEOUT = Refusal("in-flood-timeout")


class InboundGate:
    """Per-connection state of the pipeline: the token bucket and the flood timeout."""

    def __init__(self, profanity: ProfanityCheck) -> None:
        self._bucket = chat_rate_limit()
        self._blocked_until = float("-inf")
        self._profanity = profanity

    def check(
        self,
        frame: str,
        size: int,
        user: ChatUser,
        chat: ChatSettings,
        now: float,
        wall_now: datetime,
    ) -> Refusal | None:
        """None when the frame may be dispatched; otherwise the refusal."""
        if size > MAX_PAYLOAD_BYTES:
            return Refusal("too-big", TOO_BIG)
        if now < self._blocked_until:
            return SILENT_TIMEOUT
        limited = chat.spam_protection_enabled and not user.is_moderator
        if limited and not self._bucket.allow(now):
            self._blocked_until = now + FLOOD_TIMEOUT_SECONDS
            return Refusal("flooding", FLOODING)
        if chat.slur_filter_enabled and self._profanity.is_profane(frame):
            return Refusal("slur", SLUR)
        if (
            chat.established_user_mode
            and not user.is_moderator
            and wall_now - user.created_at < ESTABLISHED_AFTER
        ):
            return Refusal("not-established", NOT_ESTABLISHED)
        if chat.require_authentication and not (user.authenticated or user.is_moderator):
            return Refusal("not-authenticated", AUTH_REQUIRED)
        return None

"""The inbound gate with fake clocks: size, flood timeout, moderators, slur filter,
established-user mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from owncastd.config.settings import ChatSettings
from owncastd.core.chat.models import MODERATOR, ChatUser
from owncastd.core.chat.pipeline import (
    AUTH_REQUIRED,
    FLOODING,
    NOT_ESTABLISHED,
    SILENT_TIMEOUT,
    SLUR,
    TOO_BIG,
    InboundGate,
    chat_rate_limit,
)
from owncastd.core.chat.slurs import GlinProfanityCheck, NoProfanityCheck

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OLD_USER = ChatUser("u1", "alice", 1, NOW - timedelta(days=1))
NEW_USER = ChatUser("u2", "newbie", 2, NOW - timedelta(minutes=14, seconds=59))
MODERATOR_USER = ChatUser("u3", "mod", 3, NOW, scopes=(MODERATOR,))
DEFAULTS = ChatSettings()


def test_token_bucket_burst_one_refills_at_one_and_a_half_per_second() -> None:
    bucket = chat_rate_limit()
    assert bucket.allow(0.0)
    assert not bucket.allow(0.1)
    assert not bucket.allow(0.6)  # 0.9 tokens refilled since 0.0, minus nothing
    assert bucket.allow(0.7)
    assert bucket.allow(0.7 + 2 / 3 + 1e-9)


def test_oversized_frames_get_the_size_notice() -> None:
    gate = InboundGate(NoProfanityCheck())
    refusal = gate.check("x", 2049, OLD_USER, DEFAULTS, 0.0, NOW)
    assert refusal is not None and refusal.notice == TOO_BIG
    assert gate.check("x", 2048, OLD_USER, DEFAULTS, 0.0, NOW) is None


def test_flood_blocks_for_ten_seconds_then_recovers() -> None:
    gate = InboundGate(NoProfanityCheck())
    assert gate.check("a", 1, OLD_USER, DEFAULTS, 100.0, NOW) is None
    flood = gate.check("b", 1, OLD_USER, DEFAULTS, 100.1, NOW)
    assert flood is not None and flood.notice == FLOODING
    assert gate.check("c", 1, OLD_USER, DEFAULTS, 105.0, NOW) is SILENT_TIMEOUT
    assert gate.check("d", 1, OLD_USER, DEFAULTS, 110.05, NOW) is SILENT_TIMEOUT
    assert gate.check("e", 1, OLD_USER, DEFAULTS, 110.2, NOW) is None


def test_moderators_and_disabled_spam_protection_are_not_limited() -> None:
    gate = InboundGate(NoProfanityCheck())  # the same burst from a plain user is limited
    refusals = [gate.check("m", 1, OLD_USER, DEFAULTS, i * 0.01, NOW) for i in range(20)]
    assert any(refusal is not None for refusal in refusals)
    gate = InboundGate(NoProfanityCheck())
    for i in range(20):
        assert gate.check("m", 1, MODERATOR_USER, DEFAULTS, i * 0.01, NOW) is None
    off = ChatSettings(spam_protection_enabled=False)
    gate = InboundGate(NoProfanityCheck())
    for i in range(20):
        assert gate.check("m", 1, OLD_USER, off, i * 0.01, NOW) is None


def test_slur_filter_only_when_enabled() -> None:
    profanity = GlinProfanityCheck()
    frame = '{"type":"CHAT","body":"what the fuck"}'
    assert InboundGate(profanity).check(frame, 40, OLD_USER, DEFAULTS, 0.0, NOW) is None
    enabled = ChatSettings(slur_filter_enabled=True)
    refusal = InboundGate(profanity).check(frame, 40, OLD_USER, enabled, 0.0, NOW)
    assert refusal is not None and refusal.notice == SLUR
    clean = '{"type":"CHAT","body":"Scunthorpe has a good assessment of cocktails"}'
    assert InboundGate(profanity).check(clean, 60, OLD_USER, enabled, 0.0, NOW) is None


def test_established_user_mode_needs_fifteen_minutes_unless_moderator() -> None:
    mode = ChatSettings(established_user_mode=True)
    refusal = InboundGate(NoProfanityCheck()).check("x", 1, NEW_USER, mode, 0.0, NOW)
    assert refusal is not None and refusal.notice == NOT_ESTABLISHED
    later = NOW + timedelta(seconds=2)
    assert InboundGate(NoProfanityCheck()).check("x", 1, NEW_USER, mode, 0.0, later) is None
    assert InboundGate(NoProfanityCheck()).check("x", 1, MODERATOR_USER, mode, 0.0, NOW) is None
    assert InboundGate(NoProfanityCheck()).check("x", 1, NEW_USER, DEFAULTS, 0.0, NOW) is None


def test_required_authentication_after_established_mode_unless_moderator() -> None:
    """develop §2.5: anonymous users are refused with the notice; authenticated users and
    moderators pass; the established-user check runs first."""
    login = ChatSettings(require_authentication=True)
    refusal = InboundGate(NoProfanityCheck()).check("x", 1, OLD_USER, login, 0.0, NOW)
    assert refusal is not None and refusal.notice == AUTH_REQUIRED
    signed_in = ChatUser("u4", "ida", 4, NOW - timedelta(days=1), authenticated=True)
    assert InboundGate(NoProfanityCheck()).check("x", 1, signed_in, login, 0.0, NOW) is None
    assert InboundGate(NoProfanityCheck()).check("x", 1, MODERATOR_USER, login, 0.0, NOW) is None
    both = ChatSettings(require_authentication=True, established_user_mode=True)
    first = InboundGate(NoProfanityCheck()).check("x", 1, NEW_USER, both, 0.0, NOW)
    assert first is not None and first.notice == NOT_ESTABLISHED

"""The pure parts of webhooks and access tokens: URL checks, the signature, Owncast's envelope,
token format and scopes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import urllib.parse
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owncastd.core.access_tokens import (
    SCOPES,
    Integration,
    new_access_token,
    new_integration,
    unknown_scopes,
)
from owncastd.core.webhooks import (
    EVENT_TYPES,
    Webhook,
    envelope,
    signature,
    unknown_events,
    verify_signature,
    webhook_url_problem,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "https://example.com/hooks/owncast?key=abc#frag",
        "http://127.0.0.1:8080/hook",
        "http://[::1]:9000/hook",
        "HTTPS://Example.COM/x",
        "https://bücher.example/hook",
    ],
)
def test_good_urls(url):
    assert webhook_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "empty"),
        ("javascript:alert(1)", "http"),
        ("JavaScript://example.com/%0aalert(1)", "http"),
        ("file:///etc/passwd", "http"),
        ("ws://example.com/", "http"),
        ("mailto:a@example.com", "http"),
        ("http://a:b@example.com/", "user name or password"),
        ("http://a@example.com/", "user name or password"),
        ("http://example.com/a b", "spaces"),
        ("http://example.com/\t", "control"),
        ("http://example.com/\u0085", "control"),
        ("http://example.com/\x7f", "control"),
        ("http://example.com\\@evil/", "backslash"),
        ("http:///x", "host"),
        ("http://:80/", "host"),
        ("http://example.com:70000/", "port"),
        ("http://example.com:0/", "port 0"),
        ("http://[::1/", "URL"),
        ("http://e.com/" + "a" * 2048, "at most"),
    ],
)
def test_bad_urls(url, why):
    problem = webhook_url_problem(url)
    assert problem is not None and why in problem


@given(st.sampled_from(["", "http://", "https://", "HTTPS://"]), st.text(max_size=80))
def test_url_check_never_raises(scheme, rest):
    """Any text gets an answer: a reason to refuse it, or None for a URL that really is http(s)
    with a host and none of the refused parts."""
    text = scheme + rest
    problem = webhook_url_problem(text)
    if problem is not None:
        assert isinstance(problem, str) and problem
        return
    assert text.lower().startswith(("http://", "https://"))
    parts = urllib.parse.urlsplit(text)
    assert parts.hostname
    assert "@" not in parts.netloc and "\\" not in text
    assert all(ord(c) > 0x20 and not 0x7F <= ord(c) <= 0x9F for c in text)
    assert parts.port != 0


@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,20}(\.[a-z0-9]{1,20}){0,3}", fullmatch=True),
    st.none() | st.integers(1, 65535),
    st.from_regex(r"(/[A-Za-z0-9._~-]{0,10}){0,4}", fullmatch=True),
)
def test_plain_http_urls_are_accepted(scheme, host, port, path):
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    assert webhook_url_problem(url) is None


def test_signature_matches_an_independent_hmac():
    body = b'{"type":"CHAT","eventData":{}}'
    expected = hmac.new(b"secret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("secret", 1700000000, body) == f"t=1700000000.s={expected}"


def test_verify_signature():
    body = b"{}"
    header = signature("k", 1000, body)
    assert verify_signature("k", header, body, now=1100)
    assert not verify_signature("k", header, body, now=1400)  # older than 300 s
    assert not verify_signature("other", header, body, now=1000)
    assert not verify_signature("k", header, b"{ }", now=1000)
    assert not verify_signature("k", "t=abc.s=00", body, now=1000)
    assert not verify_signature("k", "garbage", body, now=1000)


def test_envelope_adds_status_and_server_url():
    status = {"online": True}
    document = envelope("CHAT", {"id": "x"}, status=status, server_url="https://a.example")
    assert document == {
        "type": "CHAT",
        "eventData": {"status": status, "serverURL": "https://a.example", "id": "x"},
    }
    bare = envelope("USER_JOINED", {"id": "y"}, status=status, server_url="")
    assert bare["eventData"] == {"status": status, "id": "y"}


def test_fediverse_follow_has_no_status():
    document = envelope(
        "FEDIVERSE_ENGAGEMENT_FOLLOW", {"id": "f"}, status={"online": 1}, server_url="https://s"
    )
    assert document["eventData"] == {"serverURL": "https://s", "id": "f"}


def test_event_types_and_unknown_events():
    assert set(EVENT_TYPES) == {
        "CHAT",
        "NAME_CHANGE",
        "USER_JOINED",
        "USER_PARTED",
        "STREAM_STARTED",
        "STREAM_STOPPED",
        "STREAM_TITLE_UPDATED",
        "VISIBILITY-UPDATE",
        "FEDIVERSE_ENGAGEMENT_FOLLOW",
    }
    assert unknown_events(["CHAT", "PING", "chat"]) == ["PING", "chat"]


def test_webhook_json_and_host():
    hook = Webhook(7, "https://h.example/p?token=s", ("CHAT",), "sec", AT)
    assert hook.to_json() == {
        "id": 7,
        "url": "https://h.example/p?token=s",
        "events": ["CHAT"],
        "timestamp": "2026-03-01T12:00:00.000Z",
        "lastUsed": None,
        "secret": "sec",
    }
    assert hook.host == "h.example" and hook.wants("CHAT") and not hook.wants("NAME_CHANGE")


def test_access_tokens_are_32_random_bytes_in_44_characters():
    tokens = {new_access_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert len(token) == 44 and len(base64.urlsafe_b64decode(token)) == 32


def test_scopes():
    assert SCOPES == ("CAN_SEND_MESSAGES", "CAN_SEND_SYSTEM_MESSAGES", "HAS_ADMIN_ACCESS")
    assert unknown_scopes(["HAS_ADMIN_ACCESS", "MODERATOR", ""]) == ["MODERATOR", ""]


def test_integration_json_and_bot_user():
    made = new_integration("id1", "Bot", ["HAS_ADMIN_ACCESS"] * 2, AT, random.Random(1))
    assert made.scopes == ("HAS_ADMIN_ACCESS",) and 0 <= made.display_color <= 7
    assert made.allows("HAS_ADMIN_ACCESS") and not made.allows("CAN_SEND_MESSAGES")
    data = made.to_json()
    assert "lastUsedAt" not in data and data["accessToken"] == made.token
    used = Integration(**{**made.__dict__, "last_used": AT})
    assert used.to_json()["lastUsedAt"] == "2026-03-01T12:00:00.000Z"
    bot = made.bot_user()
    assert bot.is_bot and bot.id == "id1" and bot.to_json()["isBot"] is True

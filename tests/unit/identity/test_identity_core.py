"""The chat identity core without I/O: the pending table's cap and expiry, the Fediverse codes'
10-minute life and 1000 cap, and IndieAuth's PKCE, endpoint discovery and redirect URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from owncastd.core.identity.fediverse_otp import TOO_MANY, FediverseOtp, OtpError, new_code
from owncastd.core.identity.indieauth import (
    canonical_me,
    challenge_matches,
    find_endpoint,
    redirect_url,
    s256,
)
from owncastd.core.identity.linking import IdentityLinker, Owner, Requester
from owncastd.core.identity.pending import Pending


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Repo:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], Owner] = {}

    async def owner_of(self, identity: str, kind: str) -> Owner | None:
        return self.links.get((identity, kind))

    async def point_token(self, token: str, user_id: str) -> None:
        raise AssertionError("not expected")

    async def attach(self, user_id: str, identity: str, kind: str, at: datetime) -> None:
        self.links[(identity, kind)] = Owner(user_id, "x")


class Messenger:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_direct(self, account: str, text: str) -> None:
        self.sent.append((account, text))


def test_pending_entries_expire_and_the_cap_holds() -> None:
    clock = Clock()
    table: Pending[str, int] = Pending(2, 600, clock)
    assert table.put("a", 1) and table.put("b", 2)
    assert not table.put("c", 3)
    assert table.put("a", 4)  # replacing an entry is not a new one
    clock.t += 601
    assert table.get("a") is None and len(table) == 0
    assert table.put("c", 3) and table.pop("c") == 3 and table.pop("c") is None


def test_codes_are_six_digits() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150


def _otp(clock: Clock, repo: Repo, messenger: Messenger, **options: Any) -> FediverseOtp:
    linker = IdentityLinker(repo, lambda text: None, lambda: datetime.now(UTC))
    return FediverseOtp(messenger, linker, lambda: "Srv <&>", now=clock, **options)


async def test_a_code_lives_ten_minutes_and_pending_codes_are_capped() -> None:
    clock, repo, messenger = Clock(), Repo(), Messenger()
    otp = _otp(clock, repo, messenger, max_pending=1000)
    for n in range(1000):
        await otp.request(Requester(f"u{n}", "n", f"t{n}"), "a@b.example")
    with pytest.raises(OtpError) as refused:
        await otp.request(Requester("late", "n", "late"), "a@b.example")
    assert str(refused.value) == TOO_MANY
    assert "Srv &lt;&amp;&gt;" in messenger.sent[0][1]  # the server name is escaped

    code = messenger.sent[0][1].split("<p>")[-1].removesuffix("</p>")
    clock.t += 10 * 60 + 1
    assert not await otp.verify("t0", code)  # expired
    await otp.request(Requester("late", "n", "late"), "a@b.example")  # room again
    code = messenger.sent[-1][1].split("<p>")[-1].removesuffix("</p>")
    assert await otp.verify("late", code)
    assert repo.links[("a@b.example", "fediverse")].user_id == "late"


def test_pkce_s256_matches_rfc_7636() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert challenge_matches(verifier, s256(verifier))
    assert not challenge_matches(verifier + "x", s256(verifier))


def test_the_endpoint_is_the_last_page_link_resolved_or_the_link_header() -> None:
    page = (
        '<link rel="authorization_endpoint" href="https://first.example/auth">'
        '<link rel="me authorization_endpoint" href="/auth?x=1">'
    )
    assert find_endpoint("https://me.example/p/", page, []) == "https://me.example/auth?x=1"
    header = '<https://h.example/a>; rel="authorization_endpoint", <https://x>; rel="me"'
    assert find_endpoint("https://me.example/", page, [header]) == "https://h.example/a"
    assert find_endpoint("https://me.example/", "<p>none</p>", []) is None


def test_the_redirect_replaces_the_endpoints_query_with_the_auth_hosts() -> None:
    url = redirect_url("https://e.example/auth?drop=1", "https://me.example/?keep=2", {"a": "b c"})
    assert url == "https://e.example/auth?keep=2&a=b+c"


def test_me_urls_compare_without_trailing_slash_and_case_of_the_host() -> None:
    assert canonical_me("HTTPS://Me.Example/") == canonical_me("https://me.example")
    assert canonical_me("https://me.example/a/") == "https://me.example/a"
    assert canonical_me("https://me.example/a") != canonical_me("https://me.example/b")

"""The IndieAuth client's fetches on real loopback sockets: no private address or plain http
unless allowed (nothing is even sent), redirects followed a few times only, a deadline on a
server that never answers, and a 1 MiB cap."""

from __future__ import annotations

import pytest
import trio

from owncastd.core.identity.indieauth import find_endpoint
from owncastd.core.identity.indieauth_client import IndieAuthError
from owncastd.federation.indieauth_http import IndieAuthHttp
from tests.component.webhook_receiver import WebhookReceiver
from tests.indieauth_site import IndieAuthSite


def fetcher(allowed: bool, timeout: float = 5) -> IndieAuthHttp:
    return IndieAuthHttp(user_agent="test", allow_private=lambda: allowed, timeout=timeout)


async def test_private_pages_are_refused_unless_allowed(nursery: trio.Nursery) -> None:
    receiver = await WebhookReceiver().start(nursery)
    with pytest.raises(IndieAuthError, match="refusing a local or private address"):
        await fetcher(False).fetch_page(f"https://127.0.0.1:{receiver.port}/")
    with pytest.raises(IndieAuthError, match="not an https URL"):
        await fetcher(False).fetch_page(f"http://me.example:{receiver.port}/")
    assert receiver.connections == 0

    site = await IndieAuthSite().start(nursery)
    html, links = await fetcher(True).fetch_page(site.me)
    assert find_endpoint(site.me, html, links) == f"{site.me}auth?from=page"


async def test_a_redirect_is_followed_a_few_times_only(nursery: trio.Nursery) -> None:
    receiver = await WebhookReceiver(statuses=[302]).start(nursery)
    with pytest.raises(IndieAuthError, match="too many redirects"):
        await fetcher(True).fetch_page(f"http://127.0.0.1:{receiver.port}/")
    assert [r.path for r in receiver.received] == ["/", *["/elsewhere"] * 3]


async def test_a_silent_or_huge_answer_fails_in_time(nursery: trio.Nursery) -> None:
    silent = await WebhookReceiver(blackhole=True).start(nursery)
    with trio.fail_after(5), pytest.raises(IndieAuthError, match="did not answer in time"):
        await fetcher(True, timeout=0.5).fetch_page(f"http://127.0.0.1:{silent.port}/")
    huge = await WebhookReceiver(reply_body=b"x" * ((1 << 20) + 1)).start(nursery)
    with pytest.raises(IndieAuthError, match="answered more than"):
        await fetcher(True).redeem(f"http://127.0.0.1:{huge.port}/auth", {"code": "c"})

"""Outbound federation requests never go to local or private addresses unless allowed."""

from __future__ import annotations

import pytest

from owncastd.core.federation.ports import FederationError
from owncastd.federation.signed_http import check_destination


@pytest.mark.parametrize(
    "url",
    [
        "http://remote.example/inbox",
        "https://127.0.0.1/inbox",
        "https://[::1]/inbox",
        "https://10.1.2.3/inbox",
        "https://169.254.169.254/latest",
        "https://localhost/inbox",
        "https://a.localhost/inbox",
        "ftp://remote.example/inbox",
        "https:///inbox",
    ],
)
def test_local_private_and_plain_http_destinations_are_refused(url: str) -> None:
    with pytest.raises(FederationError):
        check_destination(url, allow_private=False)


def test_public_https_hosts_pass_and_private_ones_pass_when_allowed() -> None:
    check_destination("https://mastodon.example/inbox", allow_private=False)
    check_destination("https://93.184.216.34/inbox", allow_private=False)
    check_destination("http://127.0.0.1:8080/inbox", allow_private=True)

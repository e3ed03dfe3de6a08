"""Direct messages (develop §1.8, the Fediverse OTP): `user@host` resolved by webfinger and
the actor document, the Create delivered to the personal inbox addressed as Owncast does, its
signature verified by the remote's own library (apsig); clear errors when it can't be found."""

from __future__ import annotations

import pytest

from owncastd.core.federation.direct import parse_account
from owncastd.core.federation.ports import FederationError
from tests.component.federation_fixtures import start_federated_server
from tests.federation_remote import RemoteServer


def test_parse_account():
    assert parse_account("@Alice@Example.social") == ("Alice", "example.social")
    assert parse_account("acct:bob@host:8080") == ("bob", "host:8080")
    for bad in ("alice", "@alice", "a@b@c", "a@", "a b@c", "a@h/x"):
        with pytest.raises(ValueError, match="user@host"):
            parse_account(bad)


async def test_direct_message_reaches_the_personal_inbox(tmp_path, nursery):
    remote = await RemoteServer().start(nursery)
    server = await start_federated_server(nursery, tmp_path)
    assert server.fed.direct is not None
    account = f"alice@127.0.0.1:{remote.port}"
    await server.fed.direct.send_direct(account, "One-time code: 4242 <ok>")
    delivery = await remote.next_delivery()
    assert delivery.path == "/users/alice/inbox"
    assert delivery.verified, delivery.problem
    create, alice = delivery.activity, remote.actor("alice")
    note = create["object"]
    mention = {"type": "Mention", "href": alice}
    for activity in (create, note):
        assert "to" not in activity
        assert activity["cc"] == [alice, alice]
        assert activity["tag"] == [mention, mention]
    assert note["content"] == "<p>One-time code: 4242 &lt;ok&gt;</p>"
    assert create["actor"] == note["attributedTo"] == server.actor

    with pytest.raises(FederationError, match="user@host"):
        await server.fed.direct.send_direct("nobody", "x")
    with pytest.raises(FederationError, match=r"could not find bob@127\.0\.0\.1:9"):
        await server.fed.direct.send_direct("bob@127.0.0.1:9", "x")  # nothing listens there

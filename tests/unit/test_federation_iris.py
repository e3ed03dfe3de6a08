"""Federation IRIs: canonical server URL with a punycode host (develop §1.1)."""

from __future__ import annotations

import pytest

from owncastd.core.federation import iris


def test_actor_iri_uses_punycode_and_default_username():
    assert iris.actor_iri("https://live.x.みんな/", "") == (
        "https://live.x.xn--q9jyb4c/federation/user/streamer"
    )
    assert iris.account("http://127.0.0.1:8080", "bob") == "bob@127.0.0.1:8080"
    assert iris.key_id("https://a/federation/user/x") == "https://a/federation/user/x#main-key"
    assert iris.object_iri("https://A.example", "abc") == "https://a.example/federation/abc"


def test_unusable_server_urls():
    assert iris.canonical_server("") == ""
    assert iris.account("", "bob") == ""
    with pytest.raises(ValueError):
        iris.canonical_server("not a url")


def test_short_ids_are_url_safe_and_distinct():
    ids = {iris.new_short_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 10 for i in ids)


def test_remote_account_keeps_a_non_default_port():
    assert iris.remote_account("bob", "http://127.0.0.1:8095/users/bob") == "bob@127.0.0.1:8095"
    assert iris.remote_account("bob", "https://Mastodon.example/users/bob") == (
        "bob@mastodon.example"
    )
    assert iris.remote_account("bob", "https://m.example:443/users/bob") == "bob@m.example"
    assert iris.remote_account("bob", "http://m.example:80/users/bob") == "bob@m.example"
    assert iris.remote_account("bob", "https://[::1]:8443/u/bob") == "bob@[::1]:8443"
    assert iris.remote_account("bob", "https://m.example:99999/u") == "https://m.example:99999/u"
    assert iris.remote_account("", "https://m.example/u") == "https://m.example/u"

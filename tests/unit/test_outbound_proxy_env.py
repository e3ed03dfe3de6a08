"""Which URLs the proxy variables cover (the lean client then hands the request to httpx)."""

from __future__ import annotations

from owncastd.outbound.proxy_env import ProxyRule


def test_no_variables_means_no_proxy() -> None:
    assert not ProxyRule({}).applies("https://a.example/inbox")


def test_the_scheme_decides_which_variable_applies() -> None:
    rule = ProxyRule({"HTTPS_PROXY": "http://proxy:3128"})
    assert rule.applies("https://a.example/inbox")
    assert not rule.applies("http://a.example/inbox")
    assert ProxyRule({"http_proxy": "http://p:1"}).applies("http://a.example/")
    everything = ProxyRule({"ALL_PROXY": "socks5://p:1"})
    assert everything.applies("http://a.example/") and everything.applies("https://b.example/")


def test_no_proxy_exempts_hosts_domains_and_everything() -> None:
    env = {"https_proxy": "http://p:1", "NO_PROXY": "internal.test, .corp.example,b.example:8443"}
    rule = ProxyRule(env)
    assert not rule.applies("https://internal.test/x")
    assert not rule.applies("https://chat.corp.example/x")
    assert not rule.applies("https://b.example:8443/x")
    assert rule.applies("https://b.example/x")
    assert rule.applies("https://notinternal.test/x")  # httpx then decides (it may exempt it)
    assert not ProxyRule({"https_proxy": "http://p:1", "no_proxy": "*"}).applies("https://x.y/")

"""Federation deliveries and the Chatwoot bridge's calls on the lean client, over loopback:
their errors (host and reason, no token), and the httpx path when a proxy variable applies."""

from __future__ import annotations

import h11
import pytest
import trio

from owncastd.chatwoot.transport import ChatwootHttp
from owncastd.core.chatwoot.ports import ChatwootUnavailable
from owncastd.core.federation.ports import FederationError
from owncastd.federation.keys import ServerKey
from owncastd.federation.signed_http import SignedHttp
from tests.component.outbound_servers import start_server
from tests.loopback_http import Answer, serve_h11

TOKEN = "tok-SECRET-42"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def recorder(seen: list[tuple[bytes, dict[bytes, bytes], bytes]], reply: bytes = b"{}"):  # type: ignore[no-untyped-def]
    """A keep-alive h11 server recording (target, headers, body) and answering 202 `reply`."""

    async def answer(request: h11.Request, body: bytes) -> Answer:
        seen.append((request.target, dict(request.headers), body))
        return 202, [("Content-Type", "application/json")], reply

    async def handler(stream: trio.abc.Stream, _: int) -> None:
        await serve_h11(stream, answer)  # type: ignore[arg-type]

    return handler


async def signed_http(seconds: float = 5) -> SignedHttp:
    key = await trio.to_thread.run_sync(ServerKey.generate)
    actor = "http://127.0.0.1:1/federation/user/streamer"
    return SignedHttp(
        key, f"{actor}#main-key", user_agent="ua/1", allow_private=True, timeout=seconds
    )


async def test_a_proxy_variable_sends_through_httpx_and_no_proxy_goes_direct(
    nursery: trio.Nursery, no_proxy_env: pytest.MonkeyPatch
) -> None:
    via_proxy: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
    direct: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
    proxy = await start_server(nursery, recorder(via_proxy))
    server = await start_server(nursery, recorder(direct))
    no_proxy_env.setenv("HTTP_PROXY", proxy.url(""))
    no_proxy_env.setenv("NO_PROXY", "127.0.0.1")
    http = await signed_http()
    assert await http.post_activity("http://inbox.test/users/a/inbox", b"{}") == 202
    assert await http.post_activity(server.url("/users/b/inbox"), b"{}") == 202
    chatwoot = ChatwootHttp("http://chatwoot.test/", TOKEN)
    assert await chatwoot.call("GET", "/api/v1/profile") == {}
    assert [target for target, _, _ in via_proxy] == [
        b"http://inbox.test/users/a/inbox",  # absolute form: a proxy request
        b"http://chatwoot.test/api/v1/profile",
    ]
    assert [target for target, _, _ in direct] == [b"/users/b/inbox"]
    await http.aclose()
    await chatwoot.aclose()


async def test_a_delivery_is_signed_and_its_failures_name_the_host(
    nursery: trio.Nursery, no_proxy_env: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
    server = await start_server(nursery, recorder(seen))
    http = await signed_http()
    for _ in range(3):
        assert await http.post_activity(server.url("/inbox"), b'{"type":"Note"}') == 202
    assert server.accepted == 1  # kept alive
    _, headers, body = seen[0]
    assert body == b'{"type":"Note"}'
    assert headers[b"host"] == f"127.0.0.1:{server.port}".encode()
    assert headers[b"content-type"] == b"application/activity+json"
    assert headers[b"user-agent"] == b"ua/1" and b"signature" in headers and b"digest" in headers
    await http.aclose()

    async def silent(stream: trio.abc.Stream, _: int) -> None:
        await trio.sleep_forever()

    hang = await start_server(nursery, silent)
    quick = await signed_http(seconds=0.2)
    with trio.fail_after(5), pytest.raises(FederationError, match="did not answer in time"):
        await quick.post_activity(hang.url("/inbox"), b"{}")
    port = await _closed_port()
    with pytest.raises(FederationError, match=rf"^127.0.0.1:{port}: refused$"):
        await quick.post_activity(f"http://127.0.0.1:{port}/inbox", b"{}")


async def test_chatwoot_calls_map_failures_and_keep_the_token_out(
    nursery: trio.Nursery, no_proxy_env: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
    server = await start_server(nursery, recorder(seen, b'{"id": 7}'))
    chatwoot = ChatwootHttp(server.url("/base/"), TOKEN)
    answer = await chatwoot.call("POST", "/api/x", body={"a": "é"}, params={"q": "a b", "page": 2})
    assert answer == {"id": 7}
    target, headers, body = seen[0]
    assert target == b"/base/api/x?q=a+b&page=2"
    assert headers[b"api_access_token"] == TOKEN.encode()
    assert headers[b"content-type"] == b"application/json"
    assert body == '{"a":"é"}'.encode()
    small = ChatwootHttp(server.url(), TOKEN, max_bytes=4)
    with pytest.raises(ChatwootUnavailable, match="over 4 bytes: GET /api/y") as raised:
        await small.call("GET", "/api/y")
    port = await _closed_port()
    gone = ChatwootHttp(f"http://127.0.0.1:{port}", TOKEN)
    with pytest.raises(ChatwootUnavailable, match=r"unreachable \(refused\): GET /z") as refused:
        await gone.call("GET", "/z")

    async def silent(stream: trio.abc.Stream, _: int) -> None:
        await trio.sleep_forever()

    hang = await start_server(nursery, silent)
    slow = ChatwootHttp(hang.url(), TOKEN, timeout=0.2)
    with trio.fail_after(5), pytest.raises(ChatwootUnavailable, match="in time: GET /w") as late:
        await slow.call("GET", "/w")
    for error in (raised.value, refused.value, late.value):
        assert TOKEN not in str(error)
    for client in (chatwoot, small, gone, slow):
        await client.aclose()


async def _closed_port() -> int:
    sock = trio.socket.socket()
    await sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port

"""The lean outbound HTTP/1.1 client (owncastd/outbound) against real loopback servers:
keep-alive reuse, idle connections the server closed, the one retry, resets, chunked and
HTTP/1.0 answers, ``Connection: close``, the size cap, the deadline, caps, https."""

from __future__ import annotations

import os
import resource
import socket
import ssl
import struct

import pytest
import trio
import trio.testing
import trustme

from owncastd.outbound.client import LeanClient, OutboundError
from tests.component.outbound_servers import echo_answers, read_request, start_server

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def test_keep_alive_uses_one_connection_for_many_requests(nursery: trio.Nursery) -> None:
    server = await start_server(nursery, echo_answers())
    client = LeanClient()
    for n in range(5):
        status, headers, body = await client.request(
            "POST", server.url(f"/inbox?n={n}"), {"X-Test": "1"}, b"hello"
        )
        assert (status, body) == (200, f"POST /inbox?n={n} hello".encode())
        assert ("content-length", str(len(body))) in headers
    assert server.accepted == 1
    assert client.connections_opened == 1
    await client.aclose()
    with trio.fail_after(5):
        await server.closed.wait()  # aclose closed the idle connection: the server saw EOF


async def test_an_idle_connection_the_server_closed_is_not_reused(nursery: trio.Nursery) -> None:
    async def one_answer_then_close(stream: trio.abc.Stream, _: int) -> None:
        await read_request(stream)
        await stream.send_all(OK)  # keep-alive by HTTP/1.1 rules, yet the server closes
        await stream.aclose()

    server = await start_server(nursery, one_answer_then_close)
    client = LeanClient()
    closed = server.closed
    assert (await client.request("GET", server.url()))[2] == b"ok"
    with trio.fail_after(5):
        await closed.wait()
    assert (await client.request("GET", server.url()))[2] == b"ok"
    assert server.accepted == 2


async def test_a_reused_connection_failing_before_any_answer_is_retried_once(
    nursery: trio.Nursery,
) -> None:
    """The server drops the second request on the kept-alive connection without a byte: the
    client sends it again on a fresh connection (once); a fresh one failing so is an error."""

    async def drops_the_second(stream: trio.abc.Stream, n: int) -> None:
        await read_request(stream)
        if n == 3:  # the third connection drops its first request
            await stream.aclose()
            return
        await stream.send_all(OK)
        if await read_request(stream):
            await stream.aclose()

    server = await start_server(nursery, drops_the_second)
    client = LeanClient()
    assert (await client.request("POST", server.url(), body=b"1"))[0] == 200
    assert (await client.request("POST", server.url(), body=b"2"))[0] == 200
    assert server.accepted == 2
    await client.aclose()
    with pytest.raises(OutboundError, match=rf"127.0.0.1:{server.port}: closed"):
        await client.request("POST", server.url(), body=b"3")
    assert server.accepted == 3  # no retry on a fresh connection


async def test_a_reset_mid_answer_is_an_error_not_a_hang(nursery: trio.Nursery) -> None:
    async def resets(stream: trio.abc.Stream, _: int) -> None:
        await read_request(stream)
        await stream.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial")
        assert isinstance(stream, trio.SocketStream)
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await stream.aclose()  # linger 0: an RST

    server = await start_server(nursery, resets)
    client = LeanClient()
    with trio.fail_after(5), pytest.raises(OutboundError) as raised:
        await client.request("GET", server.url())
    assert raised.value.host == f"127.0.0.1:{server.port}"
    assert raised.value.reason in ("reset", "closed") or raised.value.reason.startswith("bad")
    assert server.accepted == 1  # an answer had begun: no retry


async def test_chunked_and_http_1_0_answers(nursery: trio.Nursery) -> None:
    async def chunked_then_old(stream: trio.abc.Stream, n: int) -> None:
        await read_request(stream)
        if n == 1:
            head = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            await stream.send_all(head + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            await read_request(stream)
        # HTTP/1.0, no length: the body ends when the server closes
        await stream.send_all(b"HTTP/1.0 200 OK\r\nX-Old: yes\r\n\r\nold body")
        await stream.aclose()

    server = await start_server(nursery, chunked_then_old)
    client = LeanClient()
    status, _, body = await client.request("GET", server.url())
    assert (status, body) == (201, b"hello world")
    status, headers, body = await client.request("GET", server.url())
    assert (status, body, ("x-old", "yes") in headers) == (200, b"old body", True)
    assert server.accepted == 1
    assert (await client.request("GET", server.url()))[2] == b"old body"
    assert server.accepted == 2  # the HTTP/1.0 connection was not kept


async def test_connection_close_is_honoured(nursery: trio.Nursery) -> None:
    async def says_close_but_stays(stream: trio.abc.Stream, _: int) -> None:
        await read_request(stream)
        await stream.send_all(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        )
        await trio.sleep_forever()  # the socket stays open: only the header says close

    server = await start_server(nursery, says_close_but_stays)
    client = LeanClient(timeout=5)
    for _ in range(2):
        assert (await client.request("GET", server.url()))[2] == b"ok"
    assert server.accepted == 2


async def test_an_answer_over_the_cap_is_an_error(nursery: trio.Nursery) -> None:
    server = await start_server(nursery, echo_answers())
    client = LeanClient()
    with pytest.raises(OutboundError, match="too large"):
        await client.request("POST", server.url(), body=b"x" * 2000, max_body=1000)
    assert (await client.request("POST", server.url(), body=b"y", max_body=1000))[0] == 200
    assert server.accepted == 2  # the oversized answer's connection was dropped


async def test_a_silent_server_times_out(nursery: trio.Nursery) -> None:
    async def silent(stream: trio.abc.Stream, _: int) -> None:
        await trio.sleep_forever()

    server = await start_server(nursery, silent)
    client = LeanClient(timeout=0.2)
    with trio.fail_after(5), pytest.raises(OutboundError, match=r"127.0.0.1:\d+: timeout"):
        await client.request("GET", server.url())


async def test_a_refused_connection_names_the_host() -> None:
    sock = trio.socket.socket()
    await sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(OutboundError, match=rf"127.0.0.1:{port}: refused"):
        await LeanClient().request("GET", f"http://127.0.0.1:{port}/x?token=secret")


async def test_requests_to_one_host_wait_for_the_per_host_cap(nursery: trio.Nursery) -> None:
    release, two_busy = trio.Event(), trio.Event()
    busy = [0, 0]  # now, most at once

    async def slow(stream: trio.abc.Stream, _: int) -> None:
        while await read_request(stream):
            busy[0] += 1
            busy[1] = max(busy)
            if busy[0] == 2:
                two_busy.set()
            await release.wait()
            busy[0] -= 1
            await stream.send_all(OK)

    server = await start_server(nursery, slow)
    client = LeanClient(max_per_host=2)
    async with trio.open_nursery() as requests:
        for _ in range(5):
            requests.start_soon(client.request, "GET", server.url())
        with trio.fail_after(5):
            await two_busy.wait()
        await trio.testing.wait_all_tasks_blocked(0.05)
        release.set()
    assert busy[1] == 2
    assert server.accepted == 2


async def test_idle_connections_expire(nursery: trio.Nursery) -> None:
    server = await start_server(nursery, echo_answers())
    other = await start_server(nursery, echo_answers())
    now = [100.0]
    client = LeanClient(idle_seconds=5, clock=lambda: now[0])
    await client.request("GET", server.url())
    await client.request("GET", other.url())
    now[0] += 4
    await client.request("GET", server.url())
    assert server.accepted == 1
    now[0] += 6
    other_closed = other.closed
    await client.request("GET", server.url())
    assert server.accepted == 2
    with trio.fail_after(5):  # the other host's expired connection was closed too
        await other_closed.wait()


async def test_https_checks_the_certificate_and_sends_sni(nursery: trio.Nursery) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    names: list[str | None] = []
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,func-returns-value]
    server = await start_server(nursery, echo_answers(), tls=server_context)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    client = LeanClient(ssl_context=trusting)
    for _ in range(2):
        status, _, body = await client.request("GET", server.url("/s", "https", "localhost"))
        assert (status, body) == (200, b"GET /s ")
    assert server.accepted == 1 and names == ["localhost"]
    with pytest.raises(OutboundError, match="TLS certificate not accepted"):
        await LeanClient().request("GET", server.url("/s", "https", "localhost"))
    with pytest.raises(OutboundError, match="TLS certificate not accepted"):  # wrong name
        await LeanClient(ssl_context=trusting).request("GET", server.url("/", "https"))
    await client.aclose()


async def test_reuse_works_past_descriptor_1024(nursery: trio.Nursery) -> None:
    """The daemon holds thousands of sockets: the idle check must not use select()."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1400:
        pytest.skip("the descriptor limit is too low to open a socket past 1024")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1400), hard))
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        server = await start_server(nursery, echo_answers())
        client = LeanClient()
        for _ in range(3):
            assert (await client.request("GET", server.url()))[0] == 200
        assert server.accepted == 1
        await client.aclose()
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def test_a_header_h11_refuses_is_an_error_and_the_connection_is_not_reused(
    nursery: trio.Nursery,
) -> None:
    server = await start_server(nursery, echo_answers())
    client = LeanClient()
    assert (await client.request("GET", server.url()))[0] == 200
    for bad in ("a\r\nInjected: 1", "café"):
        with pytest.raises(OutboundError, match="bad request header"):
            await client.request("GET", server.url(), {"X-Bad": bad})
    assert (await client.request("GET", server.url()))[0] == 200

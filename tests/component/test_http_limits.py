"""The web port's timeouts and connection caps, attacked over real loopback sockets: idle
keep-alive connections, trickled bodies, a request answered before its body came, and a
connection flood from one address (another address is still served)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import trio
from quart import request

from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.http_fixtures import build_web, read_http_response

PING = b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"


BIG = 32 * 1024 * 1024  # more than the socket buffers of both ends hold


async def _start(nursery: trio.Nursery, tmp_path: Path, **limits: object) -> tuple[HttpServer, int]:
    web = build_web(tmp_path)

    @web.app.post("/test/echo")
    async def echo() -> bytes:
        return await request.get_data()

    @web.app.get("/test/big")
    async def big() -> bytes:
        return bytes(BIG)

    server = HttpServer(web.app, "127.0.0.1", 0, limits=ConnectionLimits(**limits))  # type: ignore[arg-type]
    port: int = await nursery.start(server.run)
    return server, port


async def _serve(nursery: trio.Nursery, tmp_path: Path, **limits: object) -> int:
    return (await _start(nursery, tmp_path, **limits))[1]


async def _closed_within(stream: trio.SocketStream, seconds: float) -> float:
    """Read until the server closes (EOF or reset); how long that took. Fails on a hang."""
    start = trio.current_time()
    with trio.fail_after(seconds):
        try:
            while await stream.receive_some(65536):
                pass
        except trio.BrokenResourceError:
            pass
    return trio.current_time() - start


async def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _serve(nursery, tmp_path, keep_alive_timeout=0.5)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(PING)
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 200")
    idle_for = await _closed_within(stream, 5)
    assert 0.3 <= idle_for < 3
    # A connection that keeps asking is not cut at the keep-alive timeout.
    busy = await trio.open_tcp_stream("127.0.0.1", port)
    for _ in range(4):
        await busy.send_all(PING)
        assert (await read_http_response(busy)).startswith(b"HTTP/1.1 200")
        await trio.sleep(0.2)


async def test_a_trickled_body_is_cut_off_at_the_body_timeout(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _serve(nursery, tmp_path, body_timeout=0.6)
    slow = await trio.open_tcp_stream("127.0.0.1", port)
    await slow.send_all(b"POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")

    async def trickle() -> None:
        for _ in range(100):
            try:
                await slow.send_all(b"a")
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return
            await trio.sleep(0.1)

    async with trio.open_nursery() as client:
        client.start_soon(trickle)
        cut_after = await _closed_within(slow, 5)
        client.cancel_scope.cancel()
    assert cut_after < 3
    # A body that arrives in time is answered.
    fast = await trio.open_tcp_stream("127.0.0.1", port)
    await fast.send_all(b"POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    response = await read_http_response(fast)
    assert response.startswith(b"HTTP/1.1 200") and response.endswith(b"hello")


async def test_a_request_answered_before_its_body_never_leaves_the_connection_hanging(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    """RFC 9112 §9.6: after answering early the server reads the body or closes. Before the
    fix the close was interrupted and the next request on the connection hung forever."""
    port = await _serve(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(
        b"POST /api/nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10\r\n\r\n"
    )
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 404")
    await trio.sleep(0.2)  # the body comes late, after the app has finished
    with contextlib.suppress(trio.BrokenResourceError):
        await stream.send_all(b"0123456789")
        await trio.sleep(0.1)
        await stream.send_all(PING)
    # Either the second request is answered or the connection is closed; never a hang.
    data = b""
    with trio.fail_after(3):
        with contextlib.suppress(trio.BrokenResourceError):
            while chunk := await stream.receive_some(65536):
                data += chunk
                if b"HTTP/1.1 200" in data:
                    break


async def test_a_reader_that_stops_reading_is_dropped_at_the_write_timeout(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    server, port = await _start(nursery, tmp_path, write_timeout=0.5)
    stalled = await trio.open_tcp_stream("127.0.0.1", port)
    await stalled.send_all(b"GET /test/big HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await stalled.receive_some(100)).startswith(b"HTTP/1.1 200")
    try:
        with trio.fail_after(10):  # then it reads nothing more
            while server.connections.total:  # noqa: ASYNC110 - the counter has no event
                await trio.sleep(0.05)
    finally:
        await stalled.aclose()  # (without the fix the server's send would block shutdown)


async def test_cleartext_http2_is_not_offered(nursery: trio.Nursery, tmp_path: Path) -> None:
    """Our deadlines follow HTTP/1.1; hypercorn would otherwise speak h2 to this preface."""
    port = await _serve(nursery, tmp_path)
    h2 = await trio.open_tcp_stream("127.0.0.1", port)
    await h2.send_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000000040000000000"))
    received = b""
    with trio.fail_after(3), contextlib.suppress(trio.BrokenResourceError):
        while chunk := await h2.receive_some(65536):
            received += chunk
    assert received == b""
    upgrade = await trio.open_tcp_stream("127.0.0.1", port)
    await upgrade.send_all(
        b"GET /api/ping HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
    )
    received = b""
    with trio.fail_after(3), contextlib.suppress(trio.BrokenResourceError):
        while chunk := await upgrade.receive_some(65536):
            received += chunk
    # hypercorn answers the upgrade itself; no HTTP/2 frame follows.
    assert received.startswith(b"HTTP/1.1 101") and received.endswith(b"\r\n\r\n")


async def test_a_flood_from_one_address_is_refused_fast_while_another_is_served(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _serve(nursery, tmp_path, max_per_ip=5, max_connections=50)
    held = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(5)]
    await held[0].send_all(PING)  # the first five are served
    assert (await read_http_response(held[0])).startswith(b"HTTP/1.1 200")
    start = trio.current_time()
    for _ in range(20):
        extra = await trio.open_tcp_stream("127.0.0.1", port)
        with contextlib.suppress(trio.BrokenResourceError):
            await extra.send_all(PING)
        answer = await read_http_response(extra)
        assert answer.startswith(b"HTTP/1.1 503") and b"connection: close" in answer
        assert await _closed_within(extra, 2) < 1
        await extra.aclose()
    assert trio.current_time() - start < 5
    other = await trio.open_tcp_stream("127.0.0.1", port, local_address="127.0.0.2")
    await other.send_all(PING)
    assert (await read_http_response(other)).startswith(b"HTTP/1.1 200")
    for stream in held:
        await stream.aclose()
    again = await _retry_until_served(port)
    assert again.startswith(b"HTTP/1.1 200")


async def test_the_total_cap_holds_for_exempt_addresses_too(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    """A reverse proxy's address is exempt from the per-IP cap, not from the total."""
    port = await _serve(
        nursery, tmp_path, max_per_ip=2, max_connections=6, exempt=lambda ip: ip == "127.0.0.1"
    )
    held = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(6)]
    for stream in held:
        await stream.send_all(PING)
        assert (await read_http_response(stream)).startswith(b"HTTP/1.1 200")
    extra = await trio.open_tcp_stream("127.0.0.1", port, local_address="127.0.0.2")
    await extra.send_all(PING)
    assert (await read_http_response(extra)).startswith(b"HTTP/1.1 503")


async def _retry_until_served(port: int) -> bytes:
    """GET /api/ping from 127.0.0.1 until it is not refused (closing takes a moment)."""
    with trio.fail_after(5):
        while True:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            await stream.send_all(PING)
            answer = await read_http_response(stream)
            await stream.aclose()
            if not answer.startswith(b"HTTP/1.1 503"):
                return answer
            await trio.sleep(0.05)

"""The web port's front door: `/ws` upgrades go to the chat socket, everything else to
hypercorn's TCPServer with the already-read bytes replayed (hypercorn internals are pinned in
pyproject.toml; these tests are what tells us a new hypercorn broke them)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import h11
import pytest
import trio

from owncastd.http.transport import front_door as front_door
from owncastd.http.transport.front_door import HttpServer, is_chat_upgrade
from tests.component.http_fixtures import build_web, read_http_response


def test_chat_upgrade_detection() -> None:
    upgrade = b"GET /ws?accessToken=abc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n"
    assert is_chat_upgrade(upgrade)
    assert is_chat_upgrade(upgrade.replace(b"Upgrade: websocket", b"upgrade:WebSocket"))
    assert not is_chat_upgrade(upgrade.replace(b"GET /ws?", b"GET /wss?"))
    assert not is_chat_upgrade(upgrade.replace(b"GET", b"POST"))
    assert not is_chat_upgrade(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    assert not is_chat_upgrade(b"GET /ws HTTP/1.1\r\nX-Upgrade: websocket\r\n\r\n")
    assert not is_chat_upgrade(b"garbage")


async def _serve(nursery: trio.Nursery, tmp_path: Path, websocket=None, **options) -> int:
    web = build_web(tmp_path)
    server = HttpServer(web.app, "127.0.0.1", 0, websocket=websocket, **options)
    return await nursery.start(server.run)


async def test_keep_alive_and_a_head_sent_byte_by_byte(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _serve(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    request = b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"
    for byte in request:
        await stream.send_all(bytes([byte]))
    first = await read_http_response(stream)
    assert first.startswith(b"HTTP/1.1 200")
    await stream.send_all(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
    second = await read_http_response(stream)
    assert second.startswith(b"HTTP/1.1 200") and b'"online":false' in second
    await stream.aclose()


async def test_head_and_body_in_one_packet_are_replayed(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await _serve(nursery, tmp_path)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    body = b'{"value": 1}'
    await stream.send_all(
        b"POST /api/ping HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    response = await read_http_response(stream)
    assert response.startswith(b"HTTP/1.1 405")
    await stream.aclose()


async def test_ws_upgrades_go_to_the_handler_and_plain_ws_to_the_app(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    seen: list[bytes] = []

    async def handler(stream: trio.SocketStream, head: bytes) -> None:
        seen.append(head)
        await stream.send_all(b"HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n")

    port = await _serve(nursery, tmp_path, handler)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(
        b"GET /ws?accessToken=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n"
    )
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 418")
    assert seen and seen[0].startswith(b"GET /ws?accessToken=t")
    plain = await trio.open_tcp_stream("127.0.0.1", port)
    await plain.send_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await read_http_response(plain)).startswith(b"HTTP/1.1 404")
    assert len(seen) == 1


async def test_idle_and_oversized_heads_are_closed(nursery: trio.Nursery, tmp_path: Path) -> None:
    port = await _serve(nursery, tmp_path, head_timeout=0.3)
    idle = await trio.open_tcp_stream("127.0.0.1", port)
    with trio.fail_after(3):
        assert await idle.receive_some(100) == b""
    huge = await trio.open_tcp_stream("127.0.0.1", port)
    await huge.send_all(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * (70 * 1024))
    with trio.fail_after(5):
        answer = await huge.receive_some(65536)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")


async def test_a_slow_first_head_is_cut_at_the_head_deadline(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    """The whole first head must arrive within head_timeout (Owncast: ReadHeaderTimeout 4 s),
    however steadily a slow client trickles it; the keep-alive timeout is much longer."""
    assert front_door.HEAD_TIMEOUT <= 10 < front_door.KEEP_ALIVE_TIMEOUT
    port = await _serve(nursery, tmp_path, head_timeout=0.5)
    slow = await trio.open_tcp_stream("127.0.0.1", port)
    start = trio.current_time()

    async def trickle() -> None:
        for byte in b"GET /api/ping HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            try:
                await slow.send_all(bytes([byte]))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return
            await trio.sleep(0.05)

    async with trio.open_nursery() as clients:
        clients.start_soon(trickle)
        with trio.fail_after(5):
            # A reset (bytes still in flight when the server closed) means closed too.
            with contextlib.suppress(trio.BrokenResourceError):
                assert await slow.receive_some(100) == b""
        closed_after = trio.current_time() - start
        clients.cancel_scope.cancel()
    assert 0.4 <= closed_after < 2
    prompt = await trio.open_tcp_stream("127.0.0.1", port)
    await prompt.send_all(b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await read_http_response(prompt)).startswith(b"HTTP/1.1 200")


async def test_busy_port_is_a_startup_error(nursery: trio.Nursery, tmp_path: Path) -> None:
    from owncastd.errors import StartupError

    port = await _serve(nursery, tmp_path)
    web = build_web(tmp_path / "second")
    with pytest.raises(StartupError, match="cannot listen for HTTP"):
        await HttpServer(web.app, "127.0.0.1", port).run()


async def test_an_error_beside_the_stop_does_not_end_the_server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """hypercorn can raise an h11 error next to the Cancelled of a stopping server (seen at
    shutdown under attack: 'can't handle event type Response'): the stop goes on cleanly and
    the error is one log line."""
    web = build_web(tmp_path)
    server = HttpServer(web.app, "127.0.0.1", 0)
    entered = trio.Event()

    async def serve_then_fail_when_stopped(*args: object, **kwargs: object) -> None:
        async with trio.open_nursery() as inner:
            inner.start_soon(trio.sleep_forever)
            entered.set()
            try:
                await trio.sleep_forever()
            except trio.Cancelled:
                raise h11.LocalProtocolError("can't handle event type Response") from None

    server._hypercorn.serve = serve_then_fail_when_stopped  # type: ignore[method-assign]
    async with trio.open_nursery() as nursery:
        port = await nursery.start(server.run)
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        await stream.send_all(b"GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        with trio.fail_after(5):
            await entered.wait()
        nursery.cancel_scope.cancel()  # the daemon stops
    assert "http connection failed" in caplog.text
    assert "LocalProtocolError" in caplog.text

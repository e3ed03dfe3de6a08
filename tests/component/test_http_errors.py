"""Error handling and limits: 500 without a traceback, 413 over 8 MiB, 405; then the same app
served by the real HttpServer on a loopback port, where raw request targets and real peer
addresses reach it exactly as a browser's or an attacker's would."""

from __future__ import annotations

import contextlib
import json
import logging

import httpx
import pytest
import trio
from quart import request

from owncastd.http.app import MAX_REQUEST_BYTES
from owncastd.http.transport.front_door import HttpServer
from tests.component.http_fixtures import (
    WebHarness,
    read_http_response,
    web_fixture,  # noqa: F401
)

SECRET = b"TOP-SECRET-OUTSIDE-HLS"


def add_test_routes(web: WebHarness) -> None:
    """A handler that raises, and POST routes that read the body (none exist in the app yet)."""

    @web.app.get("/test/boom")
    async def boom() -> str:
        raise RuntimeError("database password is hunter2")

    @web.app.post("/test/json")
    async def echo_json() -> dict[str, int]:
        payload = await request.get_json(force=True)
        return {"items": len(payload)}

    @web.app.post("/test/raw")
    async def echo_raw() -> dict[str, int]:
        return {"bytes": len(await request.get_data())}


async def test_unexpected_error_is_500_without_details(web: WebHarness, caplog):
    add_test_routes(web)
    with caplog.at_level(logging.ERROR, logger="owncastd.http.app"):
        response = await web.get("/test/boom")
    data = await response.get_data()
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert json.loads(data) == {"success": False, "message": "internal server error"}
    assert b"Traceback" not in data
    assert b"hunter2" not in data
    assert b"RuntimeError" not in data
    assert any("/test/boom" in r.getMessage() for r in caplog.records), "the failure is logged"


async def test_body_over_8_mib_is_refused_with_413(web: WebHarness):
    add_test_routes(web)
    assert MAX_REQUEST_BYTES == 8 * 1024 * 1024
    for route in ("/test/raw", "/test/json"):
        response = await web.client.post(
            route, data=b"[" + b"1," * (MAX_REQUEST_BYTES // 2) + b"1]"
        )
        assert response.status_code == 413, route
        payload = json.loads(await response.get_data())
        assert payload["success"] is False


async def test_body_of_exactly_8_mib_is_accepted(web: WebHarness):
    add_test_routes(web)
    response = await web.client.post("/test/raw", data=b"x" * MAX_REQUEST_BYTES)
    assert response.status_code == 200
    assert json.loads(await response.get_data()) == {"bytes": MAX_REQUEST_BYTES}


async def test_wrong_method_is_405_with_allow(web: WebHarness):
    response = await web.client.post("/api/status")
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


async def test_wrong_method_is_405_in_error_shape(web: WebHarness):
    response = await web.client.post("/api/status")
    assert response.status_code == 405
    assert json.loads(await response.get_data())["success"] is False
    assert (await web.client.get("/api/status")).status_code == 200  # the right method is served


# ---- over a real socket ----------------------------------------------------------------------


async def raw_request(port: int, head: str, body: list[bytes] | None = None) -> tuple[int, bytes]:
    """Send `head` exactly as written (no client-side path normalisation) and `body` while
    reading, as browsers and curl do; return the status and the whole response."""
    result: list[tuple[int, bytes]] = []
    with trio.fail_after(5):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        async with stream, trio.open_nursery() as nursery:

            async def send_body() -> None:
                # The server may stop reading (or close) once it has answered: that is fine.
                with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                    for chunk in body or []:
                        await stream.send_all(chunk)

            async def read() -> None:
                response = await read_http_response(stream)
                result.append((int(response.split(b" ", 2)[1]), response))
                nursery.cancel_scope.cancel()

            await stream.send_all(head.encode())
            nursery.start_soon(read)
            nursery.start_soon(send_body)
    return result[0]


async def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """`GET <target>` sent byte for byte."""
    return await raw_request(port, f"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n")


@pytest.fixture
async def served(web: WebHarness, nursery: trio.Nursery) -> tuple[WebHarness, int]:
    add_test_routes(web)
    port = await nursery.start(HttpServer(web.app, "127.0.0.1", 0).run)
    return web, port


@pytest.mark.parametrize(
    "target",
    [
        "/hls/../secret.ts",
        "/hls/../../secret.m3u8",
        "/hls/%2e%2e/secret.ts",
        "/hls/0/%2e%2e/%2e%2e/secret.ts",
        "/hls/..%2fsecret.ts",
        "/hls/..\\secret.ts",
        "/public/../secret.ts",
        "/public/%2e%2e/secret.ts",
        "/static/../context.py",
        "/static/%2e%2e/context.py",
    ],
)
async def test_raw_traversal_targets_are_refused(served: tuple[WebHarness, int], target: str):
    web, port = served
    for root in (web.paths.data_dir, web.paths.data_dir.parent, web.paths.hls_dir):
        for name in ("secret.ts", "secret.m3u8"):
            web.write(root, name, SECRET)
    web.write(web.paths.hls_dir, "0/stream.m3u8", b"#EXTM3U\n")
    status, response = await raw_get(port, target)
    assert status in (400, 404), (target, response[:200])
    assert SECRET not in response
    assert b"WebContext" not in response


async def test_real_peer_address_identifies_the_viewer(served: tuple[WebHarness, int]):
    web, port = served
    web.stream.begin("203.0.113.9")  # live (still warming up): viewers are tracked
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        response = await client.get("/api/ping", headers={"User-Agent": "Firefox"})
        assert response.status_code == 200
        await client.get("/api/ping", headers={"User-Agent": "Chrome"})
        await client.get("/hls/stream.m3u8", headers={"User-Agent": "Chrome"})
    assert sorted((v.ip_address, v.user_agent) for v in web.viewers.viewers()) == [
        ("127.0.0.1", "Chrome"),
        ("127.0.0.1", "Firefox"),
    ]


async def test_real_server_refuses_oversize_bodies(served: tuple[WebHarness, int]):
    _, port = served
    megabyte = b"x" * (1024 * 1024)
    size = MAX_REQUEST_BYTES + 1
    head = f"POST /test/raw HTTP/1.1\r\nHost: localhost\r\nContent-Length: {size}\r\n\r\n"
    status, response = await raw_request(port, head, [megabyte] * 8 + [b"x"])
    assert status == 413, response[:300]
    assert json.loads(response.partition(b"\r\n\r\n")[2])["success"] is False

    chunked = b"%x\r\n%s\r\n" % (len(megabyte), megabyte)
    head = "POST /test/raw HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
    status, response = await raw_request(port, head, [chunked] * 9 + [b"0\r\n\r\n"])
    assert status == 413, response[:300]

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        ok = await client.post("/test/raw", content=b"small")
    assert ok.json() == {"bytes": 5}


async def test_real_server_500_has_no_traceback(served: tuple[WebHarness, int]):
    _, port = served
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        response = await client.get("/test/boom")
    assert response.status_code == 500
    assert response.json() == {"success": False, "message": "internal server error"}
    assert "hunter2" not in response.text

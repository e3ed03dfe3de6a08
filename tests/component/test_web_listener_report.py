"""`[web]` limits reach the listener and `GET /api/admin/daemon` (what `owncastctl status`
shows): the configured values, the cap the open-files limit allows, the open connections."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path

import pytest
import trio

from owncastd.config.settings import WebSettings
from owncastd.http.app import create_app
from owncastd.http.transport.front_door import HttpServer
from owncastd.http.transport.limits import web_limits
from owncastd.ops.daemon_status import Operations
from owncastd.ops.health import Health
from tests.component.app_fixtures import ADMIN_PASSWORD, basic
from tests.component.fast_fixtures import build_fast_web
from tests.component.http_fixtures import read_http_response


def test_web_settings_become_the_listener_limits() -> None:
    web = WebSettings(
        max_connections=500,
        max_connections_per_ip=7,
        header_timeout=3,
        keep_alive_timeout=4,
        write_timeout=5,
        max_header_bytes=4096,
    )
    limits = web_limits(web, fd_cap=1000)
    assert (limits.max_connections, limits.max_per_ip, limits.max_header_bytes) == (500, 7, 4096)
    assert (limits.head_timeout, limits.keep_alive_timeout, limits.write_timeout) == (3, 4, 5)
    assert web_limits(WebSettings(), fd_cap=1000).max_connections == 1000  # 0: the fd cap
    assert web_limits(dataclasses.replace(web, max_connections=5000), 1000).max_connections == 1000


async def test_the_daemon_status_reports_the_listener(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    web = build_fast_web(tmp_path)
    assert web.context is not None
    operations = Operations(Health(notify=lambda _: None))
    context = dataclasses.replace(web.context, operations=operations)
    limits = web_limits(WebSettings(max_connections_per_ip=9), fd_cap=300)
    server = HttpServer(create_app(context), "127.0.0.1", 0, limits=limits, fast_path=context)
    operations.web.attach(server.status_json)
    port = await nursery.start(server.run)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    auth = basic("admin", ADMIN_PASSWORD)["Authorization"]
    await stream.send_all(
        f"GET /api/admin/daemon HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\r\n".encode()
    )
    response = await read_http_response(stream)
    assert response.startswith(b"HTTP/1.1 200")
    report = json.loads(response.partition(b"\r\n\r\n")[2])["web"]
    assert report == {
        "fastPath": True,
        "openConnections": 1,
        "maxConnections": 300,
        "maxConnectionsPerIp": 9,
        "headerTimeout": 10.0,
        "keepAliveTimeout": 30.0,
        "writeTimeout": 30.0,
        "maxHeaderBytes": 65536,
    }
    await stream.aclose()


async def test_lean_path_requests_are_in_the_access_log(
    nursery: trio.Nursery, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With verbose logging each request gets an access line, whichever path answered it."""
    web = build_fast_web(tmp_path)
    server = HttpServer(web.app, "127.0.0.1", 0, access_log=True, fast_path=web.context)
    port = await nursery.start(server.run)
    caplog.set_level(logging.INFO, logger="owncastd.http.access")
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(b"GET /api/status?x=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: UA/1\r\n\r\n")
    assert (await read_http_response(stream)).startswith(b"HTTP/1.1 200")
    await stream.aclose()
    lines = [r.getMessage() for r in caplog.records if r.name == "owncastd.http.access"]
    assert len(lines) == 1
    assert re.search(
        r'^127\.0\.0\.1 - - \[.*\] "GET /api/status 1\.1" 200 \d+ "-" "UA/1"$', lines[0]
    )

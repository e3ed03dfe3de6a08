"""The quart app is imported and built after `ready` (issue 17: ready ≤ 0.7 s), and whatever
needs it before then waits for the one load (owncastd/http/lazy_app.py).

The daemon test runs in a fresh interpreter, so `sys.modules` shows what the startup itself
imported; the others serve a `LazyApp` through the real front door on a real socket.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import trio

from owncastd.http.lazy_app import LazyApp
from owncastd.http.transport.front_door import HttpServer
from tests.component.http_fixtures import build_web, read_http_response

HEAVY = ("quart", "quart_trio", "flask", "werkzeug", "jinja2")

DAEMON_SCRIPT = """
import base64, gc, json, sys, trio
from pathlib import Path
from owncastd.config.load import ConfigFlags, load_config
from owncastd.daemon import Daemon

HEAVY = {heavy!r}
AUTH = "Basic " + base64.b64encode(b"admin:pw").decode()

async def get(port, path):
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    head = f"GET {{path}} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: {{AUTH}}\\r\\n"
    await stream.send_all((head + "Connection: close\\r\\n\\r\\n").encode())
    data = b""
    while chunk := await stream.receive_some(65536):
        data += chunk
    head, _, body = data.partition(b"\\r\\n\\r\\n")
    return head.split(b" ", 2)[1].decode(), body

async def main():
    flags = ConfigFlags(webserverport=0, rtmpport=0, webserverip="127.0.0.1", adminpassword="pw")
    settings = load_config(
        config_path=None, data_dir={data_dir!r}, environ={{}}, flags=flags
    ).settings
    daemon = Daemon(settings, ffmpeg={ffmpeg!r})
    report = {{}}
    async with trio.open_nursery() as nursery:
        with trio.fail_after(30):  # ffmpeg does not answer until the gate opens
            http_port, _ = await nursery.start(daemon.run)
        report["at_ready"] = [name for name in HEAVY if name in sys.modules]
        report["frozen_at_ready"] = gc.get_freeze_count()
        web_app = getattr(daemon, "web_app", None)
        report["loaded_at_ready"] = web_app is not None and web_app.loaded
        report["status"] = (await get(http_port, "/api/status"))[0]  # the lean path
        Path({gate!r}).touch()  # now ffmpeg answers
        with trio.fail_after(60):  # the app: waits for the load and for ffmpeg's encoders
            report["config"] = (await get(http_port, "/api/config"))[0]
            status, body = await get(http_port, "/api/admin/serverconfig")
        report["codecs"] = json.loads(body)["supportedCodecs"] if status == "200" else status
        report["after"] = [name for name in HEAVY if name in sys.modules]
        report["loaded_after"] = web_app is not None and web_app.loaded
        with trio.move_on_after(10):  # the startup heap is frozen once the app is loaded
            while gc.get_freeze_count() == 0:
                await trio.sleep(0.01)
        report["frozen_after"] = gc.get_freeze_count()
        report["gen2_after"] = len(gc.get_objects(generation=2))
        daemon.request_stop()
    print(json.dumps(report))

trio.run(main)
"""
GATED_FFMPEG = """#!/bin/sh
while [ ! -e {gate} ]; do sleep 0.02; done
exec /usr/bin/ffmpeg "$@"
"""


def test_the_daemon_is_ready_before_quart_is_imported_and_ffmpeg_answers(
    tmp_path: Path,
) -> None:
    gate = tmp_path / "gate"
    ffmpeg = tmp_path / "ffmpeg"
    ffmpeg.write_text(GATED_FFMPEG.format(gate=gate))
    ffmpeg.chmod(0o755)
    script = DAEMON_SCRIPT.format(
        heavy=HEAVY, data_dir=str(tmp_path / "data"), ffmpeg=str(ffmpeg), gate=str(gate)
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["at_ready"] == [], f"imported before ready: {report['at_ready']}"
    assert report["loaded_at_ready"] is False
    assert report["status"] == "200"
    assert report["config"] == "200"
    assert "libx264" in report["codecs"]  # the app got ffmpeg's encoder list
    assert report["after"] == list(HEAVY)
    assert report["loaded_after"] is True
    # full collections skip the startup heap (core/heap_freeze.py): frozen after the load,
    # not before (it would miss the app), leaving few objects for a full collection to walk
    assert report["frozen_at_ready"] == 0
    assert report["frozen_after"] > 20_000, report
    assert report["gen2_after"] < report["frozen_after"] // 4, report


async def _get(port: int, path: str) -> bytes:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    response = await read_http_response(stream)
    await stream.aclose()
    return response


async def test_requests_before_the_load_wait_for_one_build(tmp_path: Path) -> None:
    web = build_web(tmp_path)
    builds = []

    async def build():
        builds.append(1)
        return web.app

    lazy = LazyApp("owncastd.http.app", build)
    server = HttpServer(lazy, "127.0.0.1", 0)
    responses: list[bytes] = []
    async with trio.open_nursery() as nursery:
        port = await nursery.start(server.run)
        assert not lazy.loaded and builds == []  # listening, nothing built yet

        async def fetch() -> None:
            responses.append(await _get(port, "/api/config"))

        with trio.fail_after(30):
            async with trio.open_nursery() as clients:
                for _ in range(3):
                    clients.start_soon(fetch)
        nursery.cancel_scope.cancel()
    assert builds == [1]
    assert [r.split(b" ", 2)[1] for r in responses] == [b"200"] * 3
    assert all(b'"name"' in r for r in responses)


async def test_a_server_nobody_asked_stops_without_building(tmp_path: Path) -> None:
    builds = []

    async def build():
        builds.append(1)
        return build_web(tmp_path).app

    lazy = LazyApp("owncastd.http.app", build)
    server = HttpServer(lazy, "127.0.0.1", 0)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(server.run)
            nursery.cancel_scope.cancel()
    assert builds == [] and not lazy.loaded


async def test_an_app_that_cannot_be_built_answers_500(tmp_path: Path) -> None:
    async def broken():
        raise RuntimeError("no app today")

    server = HttpServer(LazyApp("owncastd.http.app", broken), "127.0.0.1", 0)
    async with trio.open_nursery() as nursery:
        port = await nursery.start(server.run)
        with trio.fail_after(30):
            first = await _get(port, "/api/config")
            second = await _get(port, "/api/config")
        nursery.cancel_scope.cancel()
    assert first.startswith(b"HTTP/1.1 500") and second.startswith(b"HTTP/1.1 500")

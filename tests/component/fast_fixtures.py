"""The `web` fixture run against both HTTP paths: the general app (Quart's test client) and
the lean viewer path (http/transport/fast_path.py) the front door routes viewers' hot requests
to. A module that imports `web_fixture` from here runs each of its tests twice, `[app]` and
`[fast]`: the same assertions must hold on both, so the two paths cannot drift.

In `[fast]` mode a GET is sent as real HTTP/1.1 bytes to `FastPath.serve` (over an in-memory
stream, with the peer address a test gives in `scope_base={"client": (ip, port)}`); a request
the lean path hands back (not one of its routes) goes to the app's test client, as the front
door hands it to hypercorn. The parsed answer is a Quart `Response`, like the test client's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from quart import Response
from werkzeug.datastructures import Headers

from owncastd.core.stream import StreamStats
from owncastd.http.app import create_app
from owncastd.http.context import WebContext
from owncastd.http.transport.fast_path import FastPath
from owncastd.http.transport.limits import ConnectionLimits
from tests.component.app_fixtures import build_core, default_settings, mock_clock
from tests.component.http_fixtures import WebHarness

PATHS = ("app", "fast")


@dataclass
class FastHarness(WebHarness):
    """A WebHarness whose GETs go through the lean path first (as the front door routes)."""

    fast: FastPath | None = None
    context: WebContext | None = None
    served_fast: int = 0

    async def get(self, path: str, **kwargs: Any) -> Any:
        """GET `path` over the lean path; what it hands back goes to the app."""
        assert self.fast is not None
        headers = dict(kwargs.get("headers") or {})
        scope = kwargs.get("scope_base") or {}
        if set(kwargs) - {"headers", "scope_base"}:
            return await self.client.get(path, **kwargs)
        peer = str(scope.get("client", ("127.0.0.1", 50000))[0])
        lines = [f"GET {path} HTTP/1.1", "Host: localhost", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        client, server = trio.testing.memory_stream_pair()
        rest = await self.fast.serve(server, request, peer)
        if rest is not None:
            return await self.client.get(path, **kwargs)
        await server.aclose()
        self.served_fast += 1
        return await _read_response(client)


async def _read_response(stream: trio.abc.ReceiveStream) -> Response:
    data = b""
    while chunk := await stream.receive_some(1 << 20):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = Headers()
    for line in lines:
        name, _, value = line.partition(":")
        headers.add(name.strip(), value.strip())
    assert int(headers.get("content-length", len(body))) == len(body)
    return Response(body, status=int(status_line.split(" ")[1]), headers=headers)


def build_fast_web(tmp_path: Path) -> FastHarness:
    """The web harness with a lean path over the same services."""
    core = build_core(
        tmp_path / "data", default_settings(), stats=StreamStats(overall_peak_viewers=5)
    )
    context = core.context()
    harness = FastHarness(
        create_app(context),
        core.stream,
        core.viewers,
        core.settings,
        core.paths,
        core.wall,
        core.sink,
    )
    harness.fast = FastPath(context, ConnectionLimits())
    harness.context = context
    return harness


@pytest.fixture(name="web", params=PATHS)
async def web_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, nursery: trio.Nursery
) -> WebHarness:
    """http_fixtures' `web`, once over the app and once over the lean path."""
    harness: WebHarness
    if request.param == "fast":
        harness = build_fast_web(tmp_path)
    else:
        from tests.component.http_fixtures import build_web

        harness = build_web(tmp_path)
    harness.clock = mock_clock()
    await nursery.start(harness.stream.run)
    await nursery.start(harness.viewers.run)
    return harness

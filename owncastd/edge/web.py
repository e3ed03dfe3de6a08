"""The viewer routes an edge serves (issue 18), as a plain ASGI app behind the front door.

`/api/ping` is counted here (this edge's viewers, summed by the origin from heartbeats);
`/api/chat/register` goes to the origin's cluster route with the viewer's address; the page,
its assets, `/api/status`, `/api/config`, `/api/chat` history, `/hls/*`, `/thumbnail.jpg` and
`/logo` come from the origin's public routes with a small cache. The admin API, integrations
and everything else under `/api/` answer 404 here: they exist only on the origin.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.viewers import VIEWER_EXPIRY_SECONDS, client_id_for, client_ip
from owncastd.edge.health import EdgeHealth
from owncastd.edge.origin import Fetched, OriginClient

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
NOT_FOUND = b'{"success":false,"message":"not found on an edge node"}'
ORIGIN_DOWN = b'{"success":false,"message":"the origin is unreachable"}'
REGISTER_PREFLIGHT = (
    ("access-control-allow-origin", "*"),
    ("access-control-allow-headers", "Content-Type"),
)
TOO_LARGE = b'{"success":false,"message":"request body too large"}'
JSON = (("content-type", "application/json"),)
# Public /api routes passed to the origin → seconds their answers are kept.
API_TTL = {
    "/api/status": 1.0,
    "/api/config": 2.0,
    "/api/chat": 0.0,  # the viewer's own token: never shared
    "/api/emoji": 30.0,
    "/api/video/variants": 5.0,
    "/api/socialplatforms": 30.0,
    "/api/customjavascript": 5.0,
}
FILE_TTL = {".m3u8": 0.5, ".ts": 30.0, ".m4s": 30.0, ".mp4": 30.0}
PAGE_TTL = 5.0

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class EdgeViewers:
    """This edge's viewers: `/api/ping` and playlist requests in the last 15 s while live."""

    def __init__(self, clock: Callable[[], float] = trio.current_time) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}
        self.online = False  # from the origin's /api/status

    def seen(self, ip: str, user_agent: str) -> None:
        """Mark a viewer active (only while the origin says it is live)."""
        if self.online and (len(self._seen) < 100_000):
            self._seen[client_id_for(ip, user_agent)] = self._clock()

    @property
    def count(self) -> int:
        """Viewers seen within the expiry."""
        cutoff = self._clock() - VIEWER_EXPIRY_SECONDS
        for viewer in [v for v, at in self._seen.items() if at < cutoff]:
            del self._seen[viewer]
        return len(self._seen)


class EdgeWeb:
    """The ASGI app of an edge."""

    def __init__(
        self,
        origin: OriginClient,
        viewers: EdgeViewers,
        settings: SettingsRef,
        health: EdgeHealth | None = None,
    ) -> None:
        self._origin = origin
        self._viewers = viewers
        self._settings = settings
        self._health = health or EdgeHealth(origin, lambda: True)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":  # a websocket that missed the front door's chat path
            await send({"type": "websocket.close", "code": 1000})
            return
        path, method = scope["path"], scope["method"]
        query = scope.get("query_string", b"").decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        ip = self._client_ip(scope, headers)
        try:
            answer = await self._answer(path, method, query, headers, ip, receive)
        except httpx.HTTPError as exc:
            log.warning("edge origin request failed path=%s error=%s", path, type(exc).__name__)
            answer = Fetched(502, (("content-type", "application/json"),), ORIGIN_DOWN)
        await _respond(send, answer, head=method == "HEAD")

    async def _answer(
        self,
        path: str,
        method: str,
        query: str,
        headers: dict[str, str],
        ip: str,
        receive: Receive,
    ) -> Fetched:
        if path == "/api/chat/register" and method in ("POST", "OPTIONS"):
            if method == "OPTIONS":  # the origin's preflight answer, without a round trip
                return Fetched(204, REGISTER_PREFLIGHT, b"")
            body = await _body(receive)
            if body is None:  # as the origin answers a body over its limit
                return Fetched(413, (*JSON, ("connection", "close")), TOO_LARGE)  # unread
            forwarded_user = headers.get("x-forwarded-user")
            content_type = headers.get("content-type", "")
            return await self._origin.register(body, ip, content_type, forwarded_user)
        if method not in ("GET", "HEAD") or not _served(path):
            return Fetched(404, (("content-type", "application/json"),), NOT_FOUND)
        if path == "/api/healthz":
            status, probe = self._health.answer()
            return Fetched(status, (*JSON, ("cache-control", "no-store")), probe)
        if path == "/api/ping":
            self._viewers.seen(ip, headers.get("user-agent", ""))
            return Fetched(200, (), b"")
        if path.endswith(".m3u8"):
            self._viewers.seen(ip, headers.get("user-agent", ""))
        ttl = API_TTL.get(path, FILE_TTL.get(path[path.rfind(".") :], PAGE_TTL))
        passed = {"Authorization": headers["authorization"]} if "authorization" in headers else {}
        fetched = await self._origin.fetch(path, query, ttl, passed)
        if path == "/api/status" and fetched.status == 200:
            self._viewers.online = _online(fetched.body)
        return fetched

    def _client_ip(self, scope: dict[str, Any], headers: dict[str, str]) -> str:
        peer = scope.get("client") or ("", 0)
        trusted = self._settings.current.web.trusted_proxies
        return client_ip(str(peer[0]), headers.get("x-forwarded-for"), trusted)


def _served(path: str) -> bool:
    """Whether an edge passes `path` to the origin (admin, integrations, cluster: never)."""
    if path.startswith("/api/"):
        return path in API_TTL or path in ("/api/ping", "/api/healthz")
    return not (path == "/admin" or path.startswith(("/admin/", "/api")))


def _online(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("online"))
    except (ValueError, AttributeError):
        return False


async def _body(receive: Receive) -> bytes | None:
    """The request body; None when it is over MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _respond(send: Send, answer: Fetched, *, head: bool) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else answer.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

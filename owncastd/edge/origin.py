"""The edge's HTTP calls to the origin (contract §6): token checks (cached ≤ 10 s, dropped on
`token_revoked`), viewer registration, and the origin's public routes with a small cache."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import trio

from owncastd.core.chat.models import MODERATOR, ChatUser
from owncastd.edge.config import EdgeConfig
from owncastd.errors import StartupError

log = logging.getLogger(__name__)

CLUSTER_HEADER = "X-Owncastd-Cluster"
TOKEN_TTL = 10.0
UNKNOWN_TOKEN_TTL = 2.0
TOKEN_CACHE_LIMIT = 100_000
ORIGIN_TIMEOUT = 10.0
PAGE_CACHE_ENTRIES = 1000
PAGE_CACHE_BYTES = 64 * 1024 * 1024  # segments are ~1 MB: a few renditions' worth
PASSED_HEADERS = ("content-type", "cache-control", "etag", "last-modified")


SECRET_REFUSED = (
    "edge: the origin refused the cluster secret (401): set the same [cluster] secret "
    "(or OWNCAST_CLUSTER_SECRET) on the origin and its edges"
)
SECRET_REFUSED_BODY = (
    b'{"success":false,"message":"this edge is misconfigured: the origin refused it"}'
)


class SecretRefusedError(StartupError):
    """At start, the origin answered 401 to the edge's secret (exit code 2)."""


class OriginUnavailableError(Exception):
    """The origin could not answer a token check (the socket is refused, not re-registered)."""


@dataclass(frozen=True)
class Fetched:
    """An origin response as the edge passes it on."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class OriginClient:
    """Talks to the origin for the edge."""

    def __init__(
        self,
        config: EdgeConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = trio.current_time,
    ) -> None:
        self._config = config
        self._http = http
        self._clock = clock
        self._tokens: dict[str, tuple[float, ChatUser | None]] = {}
        self._pages: dict[str, tuple[float, Fetched]] = {}
        self._page_bytes = 0
        self.token_checks = 0  # asked of the origin (not cached)
        self.secret_refused = False  # the origin's last cluster answer was 401
        self.reachable: bool | None = None  # None: not asked yet

    async def check_secret(self) -> bool | None:
        """Whether the origin accepts the secret (a random token: 404 yes, 401 no); None when
        the origin cannot tell now (unreachable, or another answer)."""
        try:
            answer = await self._ask_token(secrets.token_urlsafe(16))
        except httpx.HTTPError:
            self.reachable = False
            return None
        self._note(answer.status_code)
        return {404: True, 401: False}.get(answer.status_code)

    def _ask_token(self, token: str) -> Awaitable[httpx.Response]:
        """The origin's check of a chat token (the secret in the header)."""
        return self._http.get(
            self.url("/api/cluster/token"),
            params={"accessToken": token},
            headers=self._secret_header,
            timeout=ORIGIN_TIMEOUT,
        )

    async def _reaching(self, request: Awaitable[httpx.Response]) -> httpx.Response:
        """`request`'s answer, noting whether the origin could be reached."""
        try:
            answer = await request
        except httpx.HTTPError:
            self.reachable = False
            raise
        self.reachable = True
        return answer

    def _note(self, status: int) -> None:
        """Record a cluster route's answer: a 401 is logged once, until the origin accepts
        the secret again."""
        self.reachable = True
        refused = status == 401
        if refused and not self.secret_refused:
            log.error("%s", SECRET_REFUSED)
        elif not refused and self.secret_refused:
            log.info("edge: the origin accepts the cluster secret again")
        self.secret_refused = refused

    @property
    def _secret_header(self) -> dict[str, str]:
        return {CLUSTER_HEADER: self._config.secret}

    def url(self, path: str) -> str:
        """The origin's URL for `path` (which starts with "/")."""
        return self._config.origin_url.rstrip("/") + path

    async def user_for_token(self, token: str) -> ChatUser | None:
        """The token's user (None: unknown; a disabled one comes back disabled), cached for up
        to 10 s (2 s when unknown or disabled)."""
        now = self._clock()
        cached = self._tokens.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        self.token_checks += 1
        try:
            answer = await self._ask_token(token)
        except httpx.HTTPError as exc:
            self.reachable = False
            raise OriginUnavailableError(type(exc).__name__) from None
        self._note(answer.status_code)
        if answer.status_code == 404:  # unknown, or disabled (then the body says so)
            user = _disabled_user(answer)
        elif answer.status_code == 200:
            user = user_from_json(answer.json())
        else:
            if answer.status_code != 401:  # a 401 is logged once by _note
                log.warning("edge token check refused by origin status=%d", answer.status_code)
            raise OriginUnavailableError(f"status {answer.status_code}")
        if len(self._tokens) >= TOKEN_CACHE_LIMIT:
            self._tokens.clear()
        ttl = TOKEN_TTL if user is not None and not user.disabled else UNKNOWN_TOKEN_TTL
        self._tokens[token] = (now + ttl, user)
        return user

    def revoke(self, user_id: str) -> None:
        """Forget the cached checks of one user (the origin banned or changed them)."""
        gone = [t for t, (_, user) in self._tokens.items() if user and user.id == user_id]
        for token in gone:
            del self._tokens[token]

    def forget(self) -> None:
        """Drop every cache (`chat_config`: settings the edge caches changed)."""
        self._tokens.clear()
        self._pages.clear()
        self._page_bytes = 0

    def _keep(self, key: str, until: float, fetched: Fetched) -> None:
        """Cache an answer; past the entry or byte budget, the expired ones go first, then
        everything (a cache miss costs one origin request)."""
        size = len(fetched.body)
        if len(self._pages) >= PAGE_CACHE_ENTRIES or self._page_bytes + size > PAGE_CACHE_BYTES:
            now = self._clock()
            for old in [k for k, (expires, _) in self._pages.items() if expires <= now]:
                self._page_bytes -= len(self._pages.pop(old)[1].body)
        if len(self._pages) >= PAGE_CACHE_ENTRIES or self._page_bytes + size > PAGE_CACHE_BYTES:
            self._pages.clear()
            self._page_bytes = 0
        previous = self._pages.pop(key, None)
        if previous is not None:
            self._page_bytes -= len(previous[1].body)
        self._pages[key] = (until, fetched)
        self._page_bytes += size

    async def register(
        self, body: bytes, client_ip: str, content_type: str, forwarded_user: str | None = None
    ) -> Fetched:
        """The origin's `/api/chat/register` for a viewer at `client_ip` (`forwarded_user`:
        the viewer request's `X-Forwarded-User`, which names the user as on the origin)."""
        headers = {
            **self._secret_header,
            "X-Forwarded-For": client_ip,
            "Content-Type": content_type or "application/json",
        }
        if forwarded_user is not None:
            headers["X-Forwarded-User"] = forwarded_user
        answer = await self._reaching(
            self._http.post(
                self.url("/api/cluster/register"),
                content=body,
                headers=headers,
                timeout=ORIGIN_TIMEOUT,
            )
        )
        self._note(answer.status_code)
        if answer.status_code == 401:  # not the viewer's fault: the edge's secret
            return Fetched(502, (("content-type", "application/json"),), SECRET_REFUSED_BODY)
        return _fetched(answer)

    async def fetch(
        self, path: str, query: str, ttl: float, headers: Mapping[str, str] | None = None
    ) -> Fetched:
        """GET a public route of the origin; answers kept `ttl` seconds (0: not kept)."""
        key = f"{path}?{query}"
        now = self._clock()
        cached = self._pages.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = await self._reaching(
            self._http.get(
                self.url(path) + (f"?{query}" if query else ""),
                headers=dict(headers or {}),
                timeout=ORIGIN_TIMEOUT,
            )
        )
        fetched = _fetched(answer)
        if ttl > 0 and answer.status_code in (200, 404):
            self._keep(key, now + ttl, fetched)
        return fetched


def _fetched(answer: httpx.Response) -> Fetched:
    headers = tuple(
        (name, value) for name, value in answer.headers.items() if name.lower() in PASSED_HEADERS
    )
    return Fetched(answer.status_code, headers, answer.content)


def _disabled_user(answer: httpx.Response) -> ChatUser | None:
    """A disabled user from the origin's 404 (`{"disabled": true, "userId": …}`), else None."""
    try:
        data = answer.json()
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("disabled") is not True or "userId" not in data:
        return None
    return user_from_json(data)


def user_from_json(data: dict[str, object]) -> ChatUser:
    """A chat user from the origin's token answer (contract §6)."""
    now = datetime.now(UTC)
    return ChatUser(
        id=str(data["userId"]),
        display_name=str(data.get("displayName", "")),
        display_color=int(str(data.get("displayColor", 0))),
        created_at=now,
        disabled_at=now if data.get("disabled") else None,
        scopes=(MODERATOR,) if data.get("isModerator") else (),
        is_bot=bool(data.get("isBot")),
        authenticated=bool(data.get("authenticated")),
    )

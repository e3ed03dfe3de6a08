"""The go-live notifications and the directory ping that go out over HTTP: Discord's webhook
(develop §3) and the Owncast directory's `/api/ping` (develop §4).

Owncast sends both without a timeout; here every request has one, and a reply is read only up
to a small cap, so a remote that hangs or floods never holds a task for long.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import trio

from owncastd.config.settings import Settings
from owncastd.core.directory import DirectoryReply

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10.0
MAX_REPLY_BYTES = 64 * 1024


def discord_body(settings: Settings) -> dict[str, str] | None:
    """Discord's webhook body for the go-live moment, or None when Discord is off.

    `content` is the go-live message, then the stream title on its own line when set, then the
    server URL after a blank line; the avatar is the server's logo.
    """
    discord, server = settings.notifications.discord, settings.server
    if not (discord.enabled and discord.webhook):
        return None
    content = discord.go_live_message
    if server.stream_title:
        content += "\n" + server.stream_title
    if server.url:
        content += "\n\n" + server.url
    avatar = server.url.rstrip("/") + "/logo" if server.url else ""
    return {"username": server.name, "content": content, "avatar_url": avatar}


class _Poster:
    """POSTs JSON with a deadline and reads at most MAX_REPLY_BYTES of the reply."""

    def __init__(
        self, user_agent: str, timeout: float, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._user_agent = user_agent
        self._timeout = timeout
        self._transport = transport

    async def post_json(self, url: str, body: object) -> tuple[int, bytes]:
        """(status, the first MAX_REPLY_BYTES of the reply); raises on a failed request."""
        import httpx  # lazy: only a go-live moment or a directory ping needs it

        with trio.fail_after(self._timeout):  # the whole exchange, not each read
            async with (
                httpx.AsyncClient(
                    timeout=httpx.Timeout(self._timeout),
                    follow_redirects=False,
                    headers={"User-Agent": self._user_agent},
                    transport=self._transport,
                ) as client,
                client.stream("POST", url, json=body) as response,
            ):
                return response.status_code, await _capped(response)


async def _capped(response: httpx.Response) -> bytes:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= MAX_REPLY_BYTES:
            break
    return bytes(data[:MAX_REPLY_BYTES])


class DiscordGoLive:
    """The Discord go-live channel (a :class:`owncastd.core.go_live.GoLiveChannel`)."""

    name = "discord"

    def __init__(
        self,
        settings: Callable[[], Settings],
        *,
        user_agent: str,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._poster = _Poster(user_agent, timeout, transport)

    async def announce(self) -> bool:
        """POST the go-live message to the Discord webhook (False when off); a refusal
        raises (the status only: the webhook URL carries Discord's token and is never logged)."""
        settings = self._settings()
        body = discord_body(settings)
        if body is None:
            return False
        status, _ = await self._poster.post_json(settings.notifications.discord.webhook, body)
        if status >= 400:
            raise RuntimeError(f"discord refused the go-live notification status={status}")
        log.info("discord go-live notification sent status=%d", status)
        return True


class HttpDirectoryClient:
    """Pings the Owncast directory (a :class:`owncastd.core.directory.DirectoryClient`)."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._poster = _Poster(user_agent, timeout, transport)

    async def ping(self, service_url: str, key: str, server_url: str) -> DirectoryReply:
        """POST `{key, url}` to `<service_url>/api/ping` and read `{key, success, error}`."""
        url = service_url.rstrip("/") + "/api/ping"
        status, data = await self._poster.post_json(url, {"key": key, "url": server_url})
        try:
            reply = json.loads(data)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            reply = None
        if not isinstance(reply, dict):
            return DirectoryReply("", False, f"HTTP {status}: the reply is not a JSON object")
        new_key = reply.get("key")
        error = reply.get("error")
        return DirectoryReply(
            new_key if isinstance(new_key, str) else "",
            reply.get("success") is True,
            error if isinstance(error, str) else (f"HTTP {status}" if status >= 400 else ""),
        )

"""Where the dashboard gets its data and sends its actions: the daemon, over HTTP and /ws.

:class:`DashboardSource` is what the app needs; :class:`HttpSource` is the real one (an
:class:`owncastctl.client.AsyncClient` plus the chat websocket, reconnecting with backoff).
Tests give the app a fake with the same methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Protocol

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from owncastctl import api, followers_view
from owncastctl.chatwoot_api import escalate_call
from owncastctl.chatws import (
    CHAT_NAME,
    SYSTEM_SCOPE,
    TOKEN_NAME,
    find_system_token,
    recent_messages,
    split_frame,
    ws_url,
)
from owncastctl.client import AsyncClient, Connection
from owncastctl.credentials import CredentialStore
from owncastctl.errors import CtlError
from owncastctl.replays_view import admin_replays

LINK = "_LINK"  # pseudo event: {"type": LINK, "connected": bool, "reason": str}
MAX_BACKOFF = 10.0
HISTORY = 100  # chat messages shown on (re)connecting


class DashboardSource(Protocol):
    """Everything the dashboard reads and does."""

    url: str

    async def status(self) -> dict[str, Any]: ...
    async def hardware(self) -> dict[str, Any]: ...
    async def video_metrics(self) -> dict[str, Any]: ...
    async def viewers(self) -> list[dict[str, Any]]: ...
    async def chat_clients(self) -> list[dict[str, Any]]: ...
    async def warnings(self) -> list[dict[str, Any]]: ...
    def chat_events(self) -> AsyncIterator[dict[str, Any]]: ...
    async def set_visibility(self, ids: list[str], visible: bool) -> None: ...
    async def set_enabled(self, user_id: str, enabled: bool) -> None: ...
    async def set_moderator(self, user_id: str, is_moderator: bool) -> None: ...
    async def send_system(self, text: str) -> None: ...
    async def set_title(self, title: str) -> None: ...
    async def disconnect(self) -> None: ...
    async def schedule(self) -> dict[str, Any]: ...
    async def escalate(self, message_id: str, note: str) -> None: ...
    async def replays(self) -> dict[str, Any]: ...
    async def followers(self) -> dict[str, Any]: ...
    async def aclose(self) -> None: ...


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class HttpSource:
    """The real daemon: admin routes with Basic auth, chat over the websocket."""

    def __init__(self, conn: Connection, store: CredentialStore, transport: Any = None) -> None:
        self.url = conn.base
        self.client = AsyncClient(conn, transport)
        self.store = store

    async def status(self) -> dict[str, Any]:
        return _dict(await self.client.send(api.admin_status()))

    async def hardware(self) -> dict[str, Any]:
        return _dict(await self.client.send(api.hardware_stats()))

    async def video_metrics(self) -> dict[str, Any]:
        return _dict(await self.client.send(api.video_metrics()))

    async def viewers(self) -> list[dict[str, Any]]:
        return _list(await self.client.send(api.viewers()))

    async def chat_clients(self) -> list[dict[str, Any]]:
        return _list(await self.client.send(api.chat_clients()))

    async def warnings(self) -> list[dict[str, Any]]:
        return _list(await self.client.send(api.logs(warnings=True)))

    async def history(self) -> list[dict[str, Any]]:
        """The newest HISTORY chat messages (hidden included), oldest first."""
        return recent_messages(await self.client.send(api.chat_messages()), HISTORY)

    async def _token(self, fresh: bool) -> str:
        if not fresh and (token := self.store.chat_token(self.url)):
            return token
        answer = await self.client.send(api.chat_register(CHAT_NAME))
        token = str(answer["accessToken"])
        self.store.save_chat_token(self.url, token)
        return token

    async def chat_events(self) -> AsyncIterator[dict[str, Any]]:
        """History, then live events, forever; reconnects and reports the link as LINK events."""
        delay = 1.0
        fresh = False
        while True:
            try:
                token = await self._token(fresh)
                fresh = False
                async with connect(ws_url(self.url, token), open_timeout=10) as socket:
                    for message in await self.history():
                        yield message
                    yield {"type": LINK, "connected": True, "reason": ""}
                    delay = 1.0
                    async for frame in socket:
                        for event in split_frame(frame):
                            if event.get("type") == "ERROR_NEEDS_REGISTRATION":
                                fresh = True
                            yield event
                        if fresh:
                            break
                reason = "chat closed by the server"
            except InvalidStatus as exc:
                reason = f"chat refused (HTTP {exc.response.status_code})"
            except (OSError, WebSocketException, CtlError, TimeoutError) as exc:
                reason = describe_error(exc)
            if fresh:
                continue
            yield {"type": LINK, "connected": False, "reason": reason}
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    async def set_visibility(self, ids: list[str], visible: bool) -> None:
        await self.client.send(api.message_visibility(ids, visible))

    async def set_enabled(self, user_id: str, enabled: bool) -> None:
        await self.client.send(api.set_user_enabled(user_id, enabled))

    async def set_moderator(self, user_id: str, is_moderator: bool) -> None:
        await self.client.send(api.set_moderator(user_id, is_moderator))

    async def escalate(self, message_id: str, note: str) -> None:
        await self.client.send(escalate_call(message_id, "", note))

    async def send_system(self, text: str) -> None:
        known = self.store.system_token(self.url)
        token = find_system_token(await self.client.send(api.access_tokens()), known)
        if token is None:
            created = await self.client.send(api.create_token(TOKEN_NAME, [SYSTEM_SCOPE]))
            token = str(created["accessToken"])
        if token != known:
            self.store.save_system_token(self.url, token)
        await self.client.send(api.system_message(token, text))

    async def set_title(self, title: str) -> None:
        await self.client.send(api.set_config("streamtitle", title))

    async def schedule(self) -> dict[str, Any]:
        return _dict(await self.client.send(api.admin_schedule()))

    async def replays(self) -> dict[str, Any]:
        return _dict(await self.client.send(admin_replays()))

    async def followers(self) -> dict[str, Any]:
        return {
            "followers": await self.client.send(followers_view.followers()),
            "pending": await self.client.send(followers_view.pending()),
            "actions": await self.client.send(followers_view.actions()),
        }

    async def disconnect(self) -> None:
        await self.client.send(api.disconnect())

    async def aclose(self) -> None:
        await self.client.aclose()


def describe_error(exc: BaseException) -> str:
    """A few words about a failure, for the header's link state."""
    if isinstance(exc, CtlError):
        message = exc.format_message()
        if "cannot reach" in message:
            return message.split(": ", 1)[1].split(".")[0]
        return message[:80]
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return type(exc).__name__

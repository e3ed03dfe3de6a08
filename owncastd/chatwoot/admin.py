"""The Chatwoot admin service behind `/api/admin/chatwoot/setup` and `/status`.

Setup runs server-side so the token goes from `owncastctl` (read from a file) to the daemon in
a request body only, and is written to the config file as a secret; it is never logged,
printed or answered. Nothing is written unless every Chatwoot step worked.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trio

from owncastd.chatwoot.setup import SetupDone, SetupPlan, check_credentials, set_up
from owncastd.chatwoot.transport import ChatwootHttp
from owncastd.config import checks
from owncastd.config.editor import ConfigEditor
from owncastd.config.settings import ChatwootSettings, SettingsRef
from owncastd.core.chatwoot.status_port import ChatwootStatusSource
from owncastd.errors import ChatwootSetupError

if TYPE_CHECKING:
    import httpx  # lazy: see transport.py

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/chatwoot/webhook/"
SETUP_CALL_TIMEOUT = 4.0  # per Chatwoot call
SETUP_DEADLINE = 12.0  # all of them: setup answers within owncastctl's 15 s
STATUS_CALL_TIMEOUT = 3.0


@dataclass(frozen=True)
class SetupInput:
    """The admin's answers: where Chatwoot is and the token (never shown)."""

    url: str
    account_id: int
    token: str
    inbox_name: str = "owncast"
    server_url: str = ""


def new_webhook_secret() -> str:
    """32 random bytes, URL-safe (the webhook path's secret)."""
    return secrets.token_urlsafe(32)


def _check_input(given: SetupInput, server_url: str) -> None:
    problems = []
    if problem := checks.http_url(required=True)(given.url):
        problems.append(f"url {problem}")
    if given.account_id <= 0:
        problems.append(f"account must be a positive id (got {given.account_id})")
    if not given.token or any(ch.isspace() for ch in given.token) or len(given.token) > 512:
        problems.append("the token must be 1..512 characters without whitespace")
    if not given.inbox_name.strip() or len(given.inbox_name) > 100:
        problems.append("the inbox name must be 1..100 characters")
    if not server_url:
        problems.append(
            "this server's public URL is unknown: set server.url (or pass the server URL) so "
            "Chatwoot can reach the webhook"
        )
    elif problem := checks.http_url(required=True)(server_url):
        problems.append(f"server URL {problem}")
    if problems:
        raise ChatwootSetupError("; ".join(problems))


class ChatwootAdmin:
    """Setup and status; `status_source` is the bridge, attached when it runs."""

    def __init__(
        self,
        settings: SettingsRef,
        editor: ConfigEditor,
        *,
        status_source: ChatwootStatusSource | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.editor = editor
        self.status_source = status_source
        self._transport = transport

    async def setup(
        self, url: str, account_id: int, token: str, inbox_name: str, server_url: str = ""
    ) -> dict[str, Any]:
        """Set Chatwoot up and write `[chatwoot]`; the answer holds no secret."""
        given = SetupInput(url, account_id, token, inbox_name, server_url)
        server_url = (given.server_url or self.settings.current.server.url).rstrip("/")
        _check_input(given, server_url)
        current = self.settings.current.chatwoot
        secret = current.webhook_secret or new_webhook_secret()
        plan = SetupPlan(given.account_id, given.inbox_name, f"{server_url}{WEBHOOK_PATH}{secret}")
        http = ChatwootHttp(given.url, given.token, timeout=SETUP_CALL_TIMEOUT,
                            transport=self._transport)  # fmt: skip
        done: SetupDone | None = None
        try:
            with trio.move_on_after(SETUP_DEADLINE):
                done = await set_up(http, plan)
        finally:
            await http.aclose()
        if done is None:
            raise ChatwootSetupError(
                f"Chatwoot did not finish the setup steps within {SETUP_DEADLINE:.0f} s; "
                "nothing was written",
                status=502,
            )
        await self.editor.apply(
            {
                "chatwoot.enabled": True,
                "chatwoot.url": given.url.rstrip("/"),
                "chatwoot.account_id": given.account_id,
                "chatwoot.inbox_id": done.inbox_id,
                "chatwoot.agent_bot_id": done.agent_bot_id,
                "chatwoot.webhook_secret": secret,
                "chatwoot.api_token": given.token,
            }
        )
        log.info("chatwoot set up account=%s inbox=%s agent_bot=%s",
                 given.account_id, done.inbox_id, done.agent_bot_id)  # fmt: skip
        return {
            "inboxId": done.inbox_id,
            "inboxCreated": done.inbox_created,
            "agentBotId": done.agent_bot_id,
            "agentBotCreated": done.agent_bot_created,
            "webhookUrl": f"{server_url}{WEBHOOK_PATH}…",
        }

    async def status(self) -> dict[str, Any]:
        """Configured?, a live reachability check, and the bridge's queue and last error."""
        cw = self.settings.current.chatwoot
        configured = _configured(cw)
        reachable, reach_error = None, None
        if configured:
            reachable, reach_error = await self._reach(cw)
        source = self.status_source
        return {
            "configured": configured,
            "enabled": cw.enabled,
            "url": cw.url,
            "accountId": cw.account_id,
            "inboxId": cw.inbox_id,
            "agentBotId": cw.agent_bot_id,
            "reachable": reachable,
            "reachError": reach_error,
            "bridgeRunning": source is not None,
            "queued": source.queued if source is not None else None,
            "lastError": source.last_error if source is not None else None,
        }

    async def _reach(self, cw: ChatwootSettings) -> tuple[bool, str | None]:
        http = ChatwootHttp(cw.url, cw.api_token, timeout=STATUS_CALL_TIMEOUT,
                            transport=self._transport)  # fmt: skip
        try:
            inboxes = await check_credentials(http, cw.account_id)
        except ChatwootSetupError as exc:
            return False, str(exc)
        finally:
            await http.aclose()
        if not any(isinstance(i, dict) and i.get("id") == cw.inbox_id for i in inboxes):
            return False, f"inbox {cw.inbox_id} is gone from account {cw.account_id}"
        return True, None


def _configured(cw: ChatwootSettings) -> bool:
    return bool(cw.url and cw.account_id and cw.inbox_id and cw.api_token and cw.webhook_secret)
